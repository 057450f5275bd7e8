import { describe, expect, it } from 'vitest';
import { UpstreamInvalidResponseError } from '../llm/errors.js';
import { parseTipAnswer } from './tip-answer.js';

const IDS = new Set(['t-1', 't-2']);
const ANSWER = { tips: [{ task_id: 't-1', text: 'Block 25 minutes for it now.' }] };

function problemOf(content: string): string {
  try {
    parseTipAnswer(content, IDS);
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamInvalidResponseError);
    return (error as UpstreamInvalidResponseError).problem;
  }
  throw new Error('expected parseTipAnswer to throw');
}

describe('parseTipAnswer', () => {
  it('reads the bare JSON answer', () => {
    expect(parseTipAnswer(JSON.stringify(ANSWER), IDS)).toEqual(ANSWER.tips);
  });

  it.each([['```json\n%s\n```'], ['```\n%s\n```'], ['  ```JSON\r\n%s\r\n```\n'], ['```json\n%s```']])(
    'unwraps a Markdown code fence (%j)',
    (template) => {
      expect(parseTipAnswer(template.replace('%s', JSON.stringify(ANSWER, null, 2)), IDS)).toEqual(
        ANSWER.tips,
      );
    },
  );

  it('trims tip text and accepts an empty list', () => {
    expect(parseTipAnswer('{"tips":[{"task_id":"t-2","text":"  Start small. "}]}', IDS)).toEqual([
      { task_id: 't-2', text: 'Start small.' },
    ]);
    expect(parseTipAnswer('{"tips":[]}', IDS)).toEqual([]);
  });

  it.each([
    ['prose', 'Here are your tips: 1. do it'],
    ['truncated JSON', '{"tips":[{"task_id":"t-1","text":"Blo'],
    ['a fence around prose', '```\nno json here\n```'],
  ])('rejects %s as not JSON, without quoting it', (_label, content) => {
    const problem = problemOf(content);
    expect(problem).toBe('the answer is not JSON');
  });

  it.each([
    ['no tips key', '{"suggestions":[]}', 'tips: '],
    ['tips not an array', '{"tips":"do it"}', 'tips: '],
    ['an empty text', '{"tips":[{"task_id":"t-1","text":"   "}]}', 'tips.0.text: must not be empty'],
    [
      'a text over 500 characters',
      JSON.stringify({ tips: [{ task_id: 't-1', text: 'x'.repeat(501) }] }),
      'tips.0.text: must be at most 500',
    ],
    ['a numeric task id', '{"tips":[{"task_id":1,"text":"go"}]}', 'tips.0.task_id: '],
    ['a JSON array', '[{"task_id":"t-1","text":"go"}]', '(root): '],
  ])('rejects an answer with %s as schema-violating', (_label, content, expected) => {
    const problem = problemOf(content);
    expect(problem).toMatch(/^the answer does not match the tip schema/);
    expect(problem).toContain(expected);
  });

  it('rejects a tip about a task that was not in the request', () => {
    const content = '{"tips":[{"task_id":"t-1","text":"go"},{"task_id":"t-9","text":"secret plan"}]}';
    expect(problemOf(content)).toBe("tips.1.task_id is not one of the request's task ids");
  });

  it('never quotes the content in the problem', () => {
    const secret = 'Divorce lawyer appointment';
    for (const content of [
      secret,
      `{"tips":[{"task_id":"${secret}","text":"${secret}"}]}`,
      `{"tips":[{"task_id":"t-1","text":${JSON.stringify(secret.repeat(30))}}]}`,
    ]) {
      expect(problemOf(content)).not.toContain('Divorce');
    }
  });
});
