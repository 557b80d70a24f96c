import type { Step } from '../types.ts'
import {
  connect,
  disconnect,
  drop,
  expectClosed,
  expectDisconnect,
  stopAcknowledging,
  wait,
} from './connection.ts'
import type { ScenarioContext, StepOutcome } from './context.ts'
import { expectMessages, expectNothing, expectPubrel } from './expect.ts'
import { publish, subscribe, unsubscribe } from './traffic.ts'

export type { ScenarioContext, StepOutcome } from './context.ts'

/** Carries out one step; throws a ClientError when it cannot be carried out at all. */
export async function executeStep(ctx: ScenarioContext, step: Step): Promise<StepOutcome> {
  switch (step.action) {
    case 'connect':
      return connect(ctx, step)
    case 'subscribe':
      return subscribe(ctx, step)
    case 'unsubscribe':
      return unsubscribe(ctx, step)
    case 'publish':
      return publish(ctx, step)
    case 'disconnect':
      return disconnect(ctx, step)
    case 'drop':
      return drop(ctx, step)
    case 'stop-acknowledging':
      return stopAcknowledging(ctx, step)
    case 'wait':
      return wait(ctx, step)
    case 'expect-messages':
      return expectMessages(ctx, step)
    case 'expect-pubrel':
      return expectPubrel(ctx, step)
    case 'expect-nothing':
      return expectNothing(ctx, step)
    case 'expect-closed':
      return expectClosed(ctx, step)
    case 'expect-disconnect':
      return expectDisconnect(ctx, step)
  }
}
