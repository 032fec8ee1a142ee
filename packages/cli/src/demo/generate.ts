/**
 * A few hundred realistic memories, generated deterministically (a fixed PRNG seed) from the
 * playbooks of Mem0's "Reranker-enhanced search" documentation: a personal assistant (food,
 * movies, work tasks), a foodie's restaurant log, readers' book notes, and a support bot's
 * tickets. Each carries the metadata the playbook queries filter on: category, priority, rating,
 * date, content_type, genre.
 */
import { seededRandom } from "../stats.js";
import type { DemoMemory } from "./types.js";

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const capitalize = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
const dateIn = (rand: Rand, from: string, days: number) =>
  new Date(Date.parse(from) + Math.floor(rand() * days) * 86_400_000).toISOString().slice(0, 10);

const RESTAURANTS = [
  { name: "Verde", cuisine: "vegetarian", veg: "an all-vegetarian menu" },
  { name: "Kumo", cuisine: "Japanese", veg: "a rich mushroom ramen" },
  { name: "Dosa Palace", cuisine: "South Indian", veg: "mostly vegetarian dishes" },
  { name: "Steakhouse Prime", cuisine: "steakhouse", veg: "nothing vegetarian but fries" },
  { name: "Luigi's", cuisine: "Italian", veg: "a decent margherita" },
  { name: "Burger Barn", cuisine: "burgers", veg: "one sad salad" },
  { name: "Lotus Garden", cuisine: "Chinese", veg: "great mapo tofu without pork" },
  { name: "Casa Oaxaca", cuisine: "Mexican", veg: "black bean tlayudas" },
  { name: "The Fish Shack", cuisine: "seafood", veg: "no vegetarian options" },
  { name: "Green Bowl", cuisine: "salads", veg: "build-your-own vegan bowls" },
  { name: "Bangkok Street", cuisine: "Thai", veg: "tofu curries made without fish sauce" },
  { name: "Meze House", cuisine: "Lebanese", veg: "falafel, hummus and grilled halloumi" },
];
const MEALS = ["lunch", "dinner", "brunch", "a birthday dinner", "a work lunch", "a late dinner"];
const VERDICTS: [number, string][] = [
  [5, "would go back tomorrow"],
  [5, "the best meal this month"],
  [4, "really good, a bit loud"],
  [4, "tasty and quick service"],
  [3, "fine but overpriced"],
  [2, "slow service and a cold main"],
  [1, "food poisoning scare, never again"],
];

const MOVIES = [
  ["Arrival", "science fiction"],
  ["Interstellar", "science fiction"],
  ["Blade Runner 2049", "science fiction"],
  ["Dune Part Two", "science fiction"],
  ["The Grand Budapest Hotel", "comedy"],
  ["Paddington 2", "comedy"],
  ["Knives Out", "mystery"],
  ["Parasite", "thriller"],
  ["Hereditary", "horror"],
  ["Get Out", "horror"],
  ["La La Land", "musical"],
  ["Everything Everywhere All at Once", "science fiction"],
  ["Spirited Away", "animation"],
  ["The Social Network", "drama"],
  ["Mad Max: Fury Road", "action"],
  ["Oppenheimer", "drama"],
] as const;
const MOVIE_REACTIONS: [number, string][] = [
  [5, "loved it and wants to watch it again"],
  [5, "called it the best film of the year"],
  [4, "enjoyed it, though the middle dragged"],
  [3, "thought it was fine, nothing special"],
  [2, "found it too long and walked out bored"],
  [1, "hated it and asked not to get similar recommendations"],
];

const BOOKS = [
  ["The Martian", "Andy Weir", "science fiction", "survival on Mars"],
  ["Project Hail Mary", "Andy Weir", "science fiction", "interstellar exploration"],
  ["Leviathan Wakes", "James S. A. Corey", "science fiction", "space travel and solar-system politics"],
  ["Children of Time", "Adrian Tchaikovsky", "science fiction", "terraforming and a generation ship"],
  ["Aurora", "Kim Stanley Robinson", "science fiction", "a generation ship's voyage"],
  ["Rendezvous with Rama", "Arthur C. Clarke", "science fiction", "exploring an alien spacecraft"],
  ["Sapiens", "Yuval Noah Harari", "non-fiction", "a history of humankind"],
  ["The Body", "Bill Bryson", "non-fiction", "how the human body works"],
  ["Pride and Prejudice", "Jane Austen", "romance", "manners and marriage"],
  ["The Thursday Murder Club", "Richard Osman", "mystery", "retirees solving murders"],
  ["Piranesi", "Susanna Clarke", "fantasy", "an endless house of statues"],
  ["The Left Hand of Darkness", "Ursula K. Le Guin", "science fiction", "an envoy on an ice planet"],
] as const;
const BOOK_REACTIONS: [number, string][] = [
  [5, "could not put it down"],
  [5, "wants more books exactly like it"],
  [4, "liked the ideas more than the characters"],
  [3, "was slow in the middle"],
  [2, "gave up halfway"],
];

const PLATFORMS = ["iOS app", "Android app", "web app", "desktop app"];
const TICKETS: { category: string; symptom: string; base: number }[] = [
  {
    category: "technical_support",
    symptom: "cannot log in after updating; the password reset email never arrives",
    base: 8,
  },
  { category: "technical_support", symptom: "is logged out every few minutes with 'session expired'", base: 7 },
  { category: "technical_support", symptom: "crashes on startup after the latest update", base: 8 },
  { category: "technical_support", symptom: "does not sync notes between phone and laptop", base: 6 },
  { category: "technical_support", symptom: "shows a blank screen when opening attachments", base: 5 },
  { category: "technical_support", symptom: "two-factor codes arrive too late, so login times out", base: 8 },
  { category: "technical_support", symptom: "push notifications stopped arriving", base: 4 },
  { category: "billing", symptom: "was charged twice for the annual plan and wants a refund", base: 6 },
  { category: "billing", symptom: "needs the VAT number added to past invoices", base: 3 },
  { category: "billing", symptom: "cannot update the credit card on file", base: 5 },
  { category: "feature_request", symptom: "asks for a dark mode", base: 2 },
  { category: "feature_request", symptom: "wants to export data as CSV", base: 3 },
];
const VERSIONS = ["4.1", "4.2", "4.2.1", "4.3", "5.0"];

const TASKS = [
  "finish the Q3 roadmap slides",
  "review the billing service pull request",
  "prepare the on-call handover notes",
  "fix the flaky login integration test",
  "write the incident report for the outage",
  "interview the backend candidate",
  "update the onboarding wiki",
  "plan the team offsite",
  "migrate the reports job to the new queue",
  "renew the TLS certificates",
  "answer the security questionnaire",
  "clean up unused feature flags",
];
const WHEN = [
  "before the board meeting",
  "by Friday",
  "before the release freeze",
  "this sprint",
  "at some point",
  "before the customer demo",
];

function dining(rand: Rand, user: string, n: number): DemoMemory[] {
  return Array.from({ length: n }, () => {
    const place = pick(rand, RESTAURANTS);
    const [rating, verdict] = pick(rand, VERDICTS);
    const meal = pick(rand, MEALS);
    return {
      text: `${capitalize(meal)} at ${place.name} (${place.cuisine}): ${place.veg}; ${verdict}`,
      user_id: user,
      metadata: { category: "dining", rating, cuisine: place.cuisine, date: dateIn(rand, "2023-10-01", 180) },
    };
  });
}

function movies(rand: Rand, user: string, name: string, n: number): DemoMemory[] {
  return Array.from({ length: n }, () => {
    const [title, genre] = pick(rand, MOVIES);
    const [rating, reaction] = pick(rand, MOVIE_REACTIONS);
    return {
      text: `${name} watched ${title} (${genre}) and ${reaction}`,
      user_id: user,
      metadata: { category: "movies", genre, rating, date: dateIn(rand, "2023-06-01", 300) },
    };
  });
}

function books(rand: Rand, user: string, name: string, n: number): DemoMemory[] {
  return Array.from({ length: n }, () => {
    const [title, author, genre, theme] = pick(rand, BOOKS);
    const [rating, reaction] = pick(rand, BOOK_REACTIONS);
    return {
      text: `${name} read ${title} by ${author}, about ${theme}, and ${reaction}`,
      user_id: user,
      metadata: { content_type: "book_recommendation", genre, rating, date: dateIn(rand, "2023-01-01", 420) },
    };
  });
}

function tickets(rand: Rand, n: number): DemoMemory[] {
  return Array.from({ length: n }, (_, i) => {
    const ticket = pick(rand, TICKETS);
    const priority = Math.max(1, Math.min(10, ticket.base + Math.floor(rand() * 3) - 1));
    return {
      text:
        `Ticket #${4100 + i}: customer on the ${pick(rand, PLATFORMS)} ${ticket.symptom} ` +
        `(since version ${pick(rand, VERSIONS)})`,
      agent_id: "support_bot",
      metadata: { category: ticket.category, priority, date: dateIn(rand, "2024-01-01", 90) },
    };
  });
}

function work(rand: Rand, user: string, name: string, n: number): DemoMemory[] {
  return Array.from({ length: n }, () => {
    const when = pick(rand, WHEN);
    const priority = when === "at some point" ? 1 + Math.floor(rand() * 3) : 4 + Math.floor(rand() * 7);
    const label = priority >= 8 ? `High-priority task for ${name}` : `Task for ${name}`;
    return {
      text: `${label}: ${pick(rand, TASKS)} ${when}`,
      user_id: user,
      metadata: { category: "work", priority, date: dateIn(rand, "2024-01-15", 120) },
    };
  });
}

/** Generated memories; duplicates (same scope and text) are dropped, so counts are approximate. */
export function generateMemories(seed = 20240101): DemoMemory[] {
  const rand = seededRandom(seed);
  const all = [
    ...dining(rand, "foodie_user", 60),
    ...dining(rand, "bob", 20),
    ...movies(rand, "alice", "Alice", 30),
    ...movies(rand, "bob", "Bob", 30),
    ...books(rand, "reader123", "The reader", 40),
    ...books(rand, "carol", "Carol", 25),
    ...tickets(rand, 80),
    ...work(rand, "alice", "Alice", 30),
    ...work(rand, "bob", "Bob", 30),
  ];
  const seen = new Set<string>();
  return all.filter((memory) => {
    const key = `${memory.user_id ?? ""}|${memory.agent_id ?? ""}|${memory.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
