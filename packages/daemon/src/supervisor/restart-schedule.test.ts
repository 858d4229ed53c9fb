import { describe, expect, it } from 'vitest';
import { scheduleRestart } from './restart-schedule.js';

describe('scheduleRestart', () => {
  it('runs a zero delay at the next turn of the event loop, before a 1 ms timer', async () => {
    const order: string[] = [];
    setTimeout(() => order.push('timer 1 ms'), 1);
    scheduleRestart(() => order.push('restart'), 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['restart', 'timer 1 ms']);
  });

  it('runs a positive delay after it, and cancels either kind', async () => {
    const ran: string[] = [];
    scheduleRestart(() => ran.push('after 5 ms'), 5);
    scheduleRestart(() => ran.push('cancelled immediate'), 0)();
    scheduleRestart(() => ran.push('cancelled timer'), 5)();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ran).toEqual(['after 5 ms']);
  });
});
