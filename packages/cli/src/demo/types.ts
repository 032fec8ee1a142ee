/** The demo's data shapes, shared by the hand-written playbooks and the generated memories. */

export interface DemoMemory {
  text: string;
  user_id?: string;
  agent_id?: string;
  metadata: Record<string, unknown>;
}

export interface DemoQuery {
  title: string;
  query: string;
  scope: { user_id?: string; agent_id?: string };
  filters?: Record<string, unknown>;
  limit?: number;
}
