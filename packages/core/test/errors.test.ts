import { FilterError, parseFilters, ValidationError } from "@mem0/core";

describe("path-prefixed errors keep what was wrong apart from where", () => {
  test("ValidationError: detail is the message without the path, message unchanged", () => {
    const error = new ValidationError("a.b", "bad");
    expect(error.detail).toBe("bad");
    expect(error.path).toBe("a.b");
    expect(error.message).toBe("a.b: bad");
    expect(error.code).toBe("INVALID_ARGUMENT");
  });

  test("FilterError: detail is the message without the path, message unchanged", () => {
    const error = new FilterError("filters.age", "unknown operator");
    expect(error.detail).toBe("unknown operator");
    expect(error.message).toBe("filters.age: unknown operator");
  });

  test("a FilterError from parseFilters carries message = `path: detail`", () => {
    let caught: unknown;
    try {
      parseFilters({ age: { $bogus: 1 } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FilterError);
    const { path, detail, message } = caught as FilterError;
    expect(detail.length).toBeGreaterThan(0);
    expect(message).toBe(`${path}: ${detail}`);
  });
});
