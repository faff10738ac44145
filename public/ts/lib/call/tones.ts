// Ringtone and ringback, synthesised with Web Audio: no sound file to fetch, nothing from
// another host. Browsers may refuse to play before the person has interacted with the page;
// then the call is still shown, only silently.

type Pattern = { frequenciesHz: readonly number[]; onMs: number; offMs: number; gain: number };

/** The European ringback: 425 Hz, 1.5 s on, 3.5 s off. */
const RINGBACK: Pattern = { frequenciesHz: [425], onMs: 1500, offMs: 3500, gain: 0.08 };
/** A gentle two-tone ring for incoming calls: 1 s on, 2 s off. */
const RINGTONE: Pattern = { frequenciesHz: [660, 880], onMs: 1000, offMs: 2000, gain: 0.12 };

export type Tone = { stop(): void };

function play(pattern: Pattern): Tone {
  const AudioContextClass = window.AudioContext;
  if (AudioContextClass === undefined) return { stop() {} };
  const context = new AudioContextClass();
  const gain = context.createGain();
  gain.gain.value = 0;
  gain.connect(context.destination);
  const oscillators = pattern.frequenciesHz.map((frequency) => {
    const oscillator = context.createOscillator();
    oscillator.frequency.value = frequency;
    oscillator.connect(gain);
    oscillator.start();
    return oscillator;
  });
  let on = false;
  const toggle = (): void => {
    on = !on;
    gain.gain.setTargetAtTime(on ? pattern.gain / pattern.frequenciesHz.length : 0, context.currentTime, 0.01);
    timer = setTimeout(toggle, on ? pattern.onMs : pattern.offMs);
  };
  let timer = setTimeout(toggle, 0);
  void context.resume().catch(() => {});
  return {
    stop() {
      clearTimeout(timer);
      for (const oscillator of oscillators) oscillator.stop();
      void context.close().catch(() => {});
    },
  };
}

export const playRingback = (): Tone => play(RINGBACK);
export const playRingtone = (): Tone => play(RINGTONE);
