/**
 * Human in the loop, pattern 3: review and edit state. The model extracts a structured
 * request (city and unit) from the message; the run pauses with those values in an
 * editable form; what the human submits becomes the state the next node acts on. (The
 * page's "edit state and re-run" on any checkpoint is the general form of the same idea.)
 */
import { streamModelCall } from '../agents/model-call.js';
import { Annotation, END, START, StateGraph } from '../graph/index.js';
import { parseJsonLenientControls } from '../llm/tool-calls.js';
import { checkedAnswer } from './hitl-schemas.js';
import { agentRole, modelOptions, weatherTool } from './shared.js';
import type { DemoDefinition, InterruptRequest } from './types.js';

export interface WeatherQuery {
  location: string;
  unit: 'celsius' | 'fahrenheit';
}

export const EditStateState = Annotation.Root({
  message: Annotation<string>({ default: () => '' }),
  query: Annotation<WeatherQuery | null>({ default: () => null }),
  reviewed: Annotation<boolean>({ default: () => false }),
  observation: Annotation<string>({ default: () => '' }),
});

const QUERY_SCHEMA = {
  type: 'object',
  properties: {
    location: { type: 'string', title: 'City', minLength: 1 },
    unit: { type: 'string', title: 'Unit', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['location', 'unit'],
};

/** The first `{...}` object in the model's text with a string location, or null. */
export function queryFromModelText(text: string): WeatherQuery | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const value = parseJsonLenientControls(text.slice(start, end + 1)) as Record<string, unknown>;
    const args = (value.arguments ?? value) as Record<string, unknown>;
    if (typeof args.location !== 'string' || !args.location.trim()) return null;
    return { location: args.location, unit: args.unit === 'fahrenheit' ? 'fahrenheit' : 'celsius' };
  } catch {
    return null;
  }
}

export const hitlEditState: DemoDefinition = {
  id: 'hitl-edit-state',
  title: 'Review and edit state',
  summary:
    'The model fills in a request; you check and correct the values before anything acts on them.',
  chapter: 2,
  bookExamples: ['2.4'],
  guide:
    'The model reads your message and proposes a weather query (city, unit). The run pauses in review with the values in a form: fix the city or the unit and Resume. The State view shows the query before and after your edit; fetch uses only the reviewed values.',
  roles: [agentRole('Extracts the query from the message.')],
  defaultMessage: 'How warm is it in Lisbon right now?',
  conversational: false,
  build(context) {
    const model = context.models.agent;
    const weather = weatherTool(context.endpoints);
    return new StateGraph(EditStateState)
      .addNode('extract', async (state, runtime) => {
        const result = await streamModelCall(
          model,
          [{ role: 'user', content: state.message }],
          {
            ...modelOptions(context, 96),
            tools: [weather.spec],
            toolChoice: { name: weather.spec.function.name },
            thinking: { enabled: false },
          },
          runtime,
        );
        const call = result.message.tool_calls?.[0];
        const query = call
          ? queryFromModelText(call.function.arguments)
          : queryFromModelText(result.message.content);
        return { query: query ?? { location: '', unit: 'celsius' as const } };
      })
      .addNode('review', (state, runtime) => {
        const request: InterruptRequest = {
          question: 'Check the query before it runs. Edit anything that is wrong.',
          schema: { ...QUERY_SCHEMA, default: state.query },
          context: state.query,
        };
        const edited = checkedAnswer<WeatherQuery>(request, runtime.interrupt(request));
        return { query: { location: edited.location.trim(), unit: edited.unit }, reviewed: true };
      })
      .addNode('fetch', async (state, runtime) => ({
        observation: await weather.run(state.query, { signal: runtime.signal }),
      }))
      .addEdge(START, 'extract')
      .addEdge('extract', 'review')
      .addEdge('review', 'fetch')
      .addEdge('fetch', END)
      .compile({ checkpointer: context.checkpointer, name: 'hitl-edit-state' });
  },
  turn: (message) => ({ input: { message } }),
  answer: (values) =>
    typeof values.observation === 'string' && values.observation ? values.observation : undefined,
};
