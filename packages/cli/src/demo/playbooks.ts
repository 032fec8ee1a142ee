/**
 * The demo's memories, drawn from the playbooks of Mem0's "Reranker-enhanced search"
 * documentation: a personal assistant (food, movies, dining, work), a support bot's tickets, and
 * readers' book recommendations. A few dozen are written by hand (the ones the queries are about);
 * a few hundred more are generated around them.
 */
import { generateMemories } from "./generate.js";
import type { DemoMemory, DemoQuery } from "./types.js";

const alice = (text: string, metadata: Record<string, unknown>): DemoMemory => ({ text, user_id: "alice", metadata });
const foodie = (text: string, metadata: Record<string, unknown>): DemoMemory => ({
  text,
  user_id: "foodie_user",
  metadata,
});
const reader = (text: string, metadata: Record<string, unknown>): DemoMemory => ({
  text,
  user_id: "reader123",
  metadata,
});
const support = (text: string, metadata: Record<string, unknown>): DemoMemory => ({
  text,
  agent_id: "support_bot",
  metadata,
});

const HANDWRITTEN: DemoMemory[] = [
  alice("Alice is vegetarian and avoids fish sauce", { category: "food", priority: 9 }),
  alice("Alice loves spicy Sichuan food, especially mapo tofu without meat", { category: "food", priority: 6 }),
  alice("Alice's favourite movies are Arrival and Interstellar", { category: "movies", priority: 5 }),
  alice("Alice fell asleep during the last Marvel movie and prefers slower science fiction films", {
    category: "movies",
    priority: 4,
  }),
  alice("Alice does not like horror movies or jump scares", { category: "movies", priority: 7 }),
  alice("Alice drinks oat milk flat whites every morning", { category: "food", priority: 3 }),
  alice("Alice is allergic to peanuts and cashews", { category: "food", priority: 10 }),
  alice("Alice prefers quiet restaurants with vegetarian tasting menus", { category: "dining", priority: 6 }),
  alice("Alice has a quarterly review with her manager every March", {
    category: "work",
    priority: 8,
    date: "2024-03-12",
  }),
  alice("Alice must finish the Q2 roadmap slides before the board meeting", {
    category: "work",
    priority: 9,
    date: "2024-05-30",
  }),
  alice("Alice wants to clean up the team wiki at some point", { category: "work", priority: 2, date: "2024-04-02" }),
  alice("Alice promised to review Bob's pull request on the billing service", {
    category: "work",
    priority: 7,
    date: "2024-04-18",
  }),
  alice("Alice is learning to cook Japanese food at home", { category: "food", priority: 4 }),
  alice("Alice watched Dune Part Two twice and loved the sound design", { category: "movies", priority: 5 }),
  alice("Work lunch order for Alice: no meat, extra chili", { category: "work", priority: 3, date: "2024-02-01" }),
  foodie("Had the vegetarian tasting menu at Verde, rated it 5 stars", {
    category: "dining",
    rating: 5,
    date: "2024-01-20",
  }),
  foodie("Tried Burger Barn, the only vegetarian option was a sad salad", {
    category: "dining",
    rating: 2,
    date: "2024-01-27",
  }),
  foodie("Loved the mushroom ramen at Kumo; good vegetarian broth", {
    category: "dining",
    rating: 4,
    date: "2024-02-03",
  }),
  foodie("Steakhouse Prime was excellent, but nothing for vegetarians", {
    category: "dining",
    rating: 4,
    date: "2023-12-15",
  }),
  foodie("Dosa Palace has great vegetarian options and quick service", {
    category: "dining",
    rating: 5,
    date: "2024-02-10",
  }),
  foodie("Pizza night at Luigi's: margherita was fine, service slow", {
    category: "dining",
    rating: 3,
    date: "2024-02-14",
  }),
  foodie("Wants to try the new Ethiopian place downtown", { category: "wishlist" }),
  reader("Loved The Martian for its problem-solving in space", {
    content_type: "book_recommendation",
    genre: "science fiction",
    rating: 5,
  }),
  reader("Project Hail Mary: interstellar exploration and friendship, a favourite", {
    content_type: "book_recommendation",
    genre: "science fiction",
    rating: 5,
  }),
  reader("Found Dune's politics slow but the desert planet world-building great", {
    content_type: "book_recommendation",
    genre: "science fiction",
    rating: 4,
  }),
  reader("Did not enjoy the romance novel from the book club", {
    content_type: "book_recommendation",
    genre: "romance",
    rating: 2,
  }),
  reader("Wants more books about generation ships and long space voyages", {
    content_type: "book_recommendation",
    genre: "science fiction",
    rating: 4,
  }),
  reader("Enjoyed Sapiens, a history of humankind", {
    content_type: "book_recommendation",
    genre: "non-fiction",
    rating: 4,
  }),
  reader("The Expanse series: realistic space travel and politics, devoured all nine books", {
    content_type: "book_recommendation",
    genre: "science fiction",
    rating: 5,
  }),
  support("Customer cannot log in to the mobile app after the 4.2 update; password reset loops", {
    category: "technical_support",
    priority: 9,
  }),
  support("Login works on web but the iOS app shows 'session expired' immediately", {
    category: "technical_support",
    priority: 8,
  }),
  support("Customer asked how to change the billing address on an invoice", { category: "billing", priority: 3 }),
  support("Android app crashes on startup for users with a large photo library", {
    category: "technical_support",
    priority: 7,
  }),
  support("Two-factor codes arrive late by SMS, users locked out of mobile login", {
    category: "technical_support",
    priority: 9,
  }),
  support("Customer wants a refund for a duplicate charge", { category: "billing", priority: 6 }),
  support("Feature request: dark mode for the desktop app", { category: "feature_request", priority: 2 }),
];

export const DEMO_MEMORIES: DemoMemory[] = [...HANDWRITTEN, ...generateMemories()];

export const DEMO_QUERIES: DemoQuery[] = [
  {
    title: "Personal assistant: food preferences",
    query: "What are my food preferences?",
    scope: { user_id: "alice" },
    limit: 5,
  },
  { title: "Personal assistant: movies", query: "What movies do I like?", scope: { user_id: "alice" }, limit: 5 },
  {
    title: "Customer support",
    query: "customer having login issues with mobile app",
    scope: { agent_id: "support_bot" },
    filters: { category: "technical_support" },
    limit: 4,
  },
  {
    title: "Content recommendation",
    query: "science fiction books with space exploration themes",
    scope: { user_id: "reader123" },
    filters: { content_type: "book_recommendation" },
    limit: 4,
  },
  {
    title: "Filtered (AND + gte): important work tasks",
    query: "important work tasks",
    scope: { user_id: "alice" },
    filters: { AND: [{ category: "work" }, { priority: { gte: 7 } }] },
    limit: 5,
  },
  {
    title: "Several users: Bob's movies",
    query: "science fiction films Bob enjoyed",
    scope: { user_id: "bob" },
    limit: 5,
  },
  {
    title: "Personal assistant: dining (AND + gte on rating and date)",
    query: "What restaurants did I enjoy last month that had good vegetarian options?",
    scope: { user_id: "foodie_user" },
    filters: { AND: [{ category: "dining" }, { rating: { gte: 4 } }, { date: { gte: "2024-01-01" } }] },
    limit: 4,
  },
];
