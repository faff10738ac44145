// The local camera and microphone: asking for them, falling back to what exists, and saying
// plainly why when nothing can be had.

export type MediaProblem = 'denied' | 'no-device' | 'in-use' | 'insecure' | 'unknown';

export class MediaError extends Error {
  readonly problem: MediaProblem;
  constructor(problem: MediaProblem) {
    super(problem);
    this.problem = problem;
  }
}

/** Enough for a face on a phone, light enough for a weak uplink. */
const VIDEO_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } };
const AUDIO_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/** Camera and microphone; microphone only when there is no camera; a MediaError otherwise. */
export async function openLocalMedia(choice: { audioDeviceId?: string; videoDeviceId?: string; video?: boolean } = {}): Promise<MediaStream> {
  if (!window.isSecureContext || navigator.mediaDevices === undefined) throw new MediaError('insecure');
  const audio = { ...AUDIO_CONSTRAINTS, ...(choice.audioDeviceId === undefined ? {} : { deviceId: { exact: choice.audioDeviceId } }) };
  const video = { ...VIDEO_CONSTRAINTS, ...(choice.videoDeviceId === undefined ? {} : { deviceId: { exact: choice.videoDeviceId } }) };
  try {
    return await navigator.mediaDevices.getUserMedia({ audio, video: choice.video === false ? false : video });
  } catch (error) {
    const name = (error as DOMException).name;
    if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      try {
        return await navigator.mediaDevices.getUserMedia({ audio, video: false });
      } catch (fallback) {
        throw new MediaError(problemOf((fallback as DOMException).name));
      }
    }
    throw new MediaError(problemOf(name));
  }
}

/** Opens one new camera track (camera switch, or the camera turned back on). */
export async function openCamera(deviceId?: string, facingMode?: 'user' | 'environment'): Promise<MediaStreamTrack> {
  const constraints: MediaTrackConstraints = { ...VIDEO_CONSTRAINTS };
  if (deviceId !== undefined) constraints.deviceId = { exact: deviceId };
  else if (facingMode !== undefined) constraints.facingMode = { ideal: facingMode };
  const stream = await navigator.mediaDevices.getUserMedia({ video: constraints });
  const track = stream.getVideoTracks()[0];
  if (track === undefined) throw new MediaError('no-device');
  return track;
}

function problemOf(name: string): MediaProblem {
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'no-device';
    case 'NotReadableError':
    case 'AbortError':
      return 'in-use';
    default:
      return 'unknown';
  }
}
