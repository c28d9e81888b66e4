/**
 * JSON schemas of the answers the human-in-the-loop demos ask for. The page renders a form
 * from each (lib/ui/interrupts); the demos validate what comes back before acting on it,
 * since a resume value is user input like any other.
 */
import { validateJsonSchema, type JsonSchema } from '../llm/json-schema.js';
import type { InterruptRequest } from './types.js';

export const APPROVE_OR_REVISE = {
  type: 'object',
  anyOf: [
    {
      type: 'object',
      title: 'Approve',
      properties: { decision: { const: 'approve' } },
      required: ['decision'],
    },
    {
      type: 'object',
      title: 'Ask for a revision',
      properties: {
        decision: { const: 'revise' },
        feedback: {
          type: 'string',
          title: 'What should change?',
          minLength: 1,
          format: 'textarea',
        },
      },
      required: ['decision', 'feedback'],
    },
  ],
} as const;

export class InvalidResumeError extends Error {
  constructor(what: string, issues: string[]) {
    super(`The answer to "${what}" does not fit its form: ${issues.join('; ')}`);
    this.name = 'InvalidResumeError';
  }
}

/** Checks a resume value against the interrupt's schema; throws a readable error if it does not fit. */
export function checkedAnswer<T>(request: InterruptRequest, answer: unknown): T {
  const issues = validateJsonSchema(answer, request.schema as JsonSchema, 'answer');
  if (issues.length)
    throw new InvalidResumeError(
      request.question,
      issues.map((i) => `${i.path}: ${i.message}`),
    );
  return answer as T;
}
