;; Source of DOTS_WASM in scope-cache.ts. Rebuild the base64 with
;;   npx -y -p wabt@1.0.37 wat2wasm src/dots.wat -o /tmp/dots.wasm && base64 -w0 /tmp/dots.wasm
;; Rows are int8 (one scale per row, kept in JavaScript), the query is int16; products are summed
;; exactly in int32 (scope-cache.ts bounds the query's range so no sum can overflow). The rounding
;; of both to integers is bounded in scope-cache.ts, which rescores in float64 every row the
;; bound cannot rule out, so the answer is exact.
(module
  (memory (export "memory") 1)
  ;; Integer dot of the int16 query at $q and the int8 row at $p, $bytes long (a multiple of 16).
  (func $dot (param $q i32) (param $p i32) (param $bytes i32) (result i32)
    (local $a v128) (local $b v128) (local $x v128) (local $y v128) (local $end i32) (local $end32 i32)
    (local.set $end (i32.add (local.get $p) (local.get $bytes)))
    (local.set $end32 (i32.add (local.get $p) (i32.and (local.get $bytes) (i32.const -32))))
    (block $done32
      (loop $l32
        (br_if $done32 (i32.ge_u (local.get $p) (local.get $end32)))
        (local.set $x (v128.load (local.get $p)))
        (local.set $y (v128.load offset=16 (local.get $p)))
        (local.set $a (i32x4.add (local.get $a)
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $x)) (v128.load (local.get $q)))))
        (local.set $b (i32x4.add (local.get $b)
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $x)) (v128.load offset=16 (local.get $q)))))
        (local.set $a (i32x4.add (local.get $a)
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $y)) (v128.load offset=32 (local.get $q)))))
        (local.set $b (i32x4.add (local.get $b)
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $y)) (v128.load offset=48 (local.get $q)))))
        (local.set $q (i32.add (local.get $q) (i32.const 64)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $l32)))
    (if (i32.lt_u (local.get $p) (local.get $end))
      (then
        (local.set $x (v128.load (local.get $p)))
        (local.set $a (i32x4.add (local.get $a)
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $x)) (v128.load (local.get $q)))))
        (local.set $b (i32x4.add (local.get $b)
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $x)) (v128.load offset=16 (local.get $q)))))))
    (local.set $a (i32x4.add (local.get $a) (local.get $b)))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $a)) (i32x4.extract_lane 1 (local.get $a)))
      (i32.add (i32x4.extract_lane 2 (local.get $a)) (i32x4.extract_lane 3 (local.get $a)))))
  ;; out[r] = dot(q, v + r * bytes) for r < n
  (func (export "dots") (param $q i32) (param $v i32) (param $n i32) (param $bytes i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (i32.store (local.get $out) (call $dot (local.get $q) (local.get $v) (local.get $bytes)))
        (local.set $v (i32.add (local.get $v) (local.get $bytes)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $l))))
  ;; out[j] = dot(q, v + idx[j] * bytes) for j < n (rows a filter admitted)
  (func (export "dotsAt") (param $q i32) (param $v i32) (param $idx i32) (param $n i32) (param $bytes i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (i32.store (local.get $out)
          (call $dot (local.get $q) (i32.add (local.get $v) (i32.mul (i32.load (local.get $idx)) (local.get $bytes)))
            (local.get $bytes)))
        (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $l)))))
