// The local camera and microphone: asking for them, falling back to what exists, and saying
// plainly why when nothing can be had.

/**
 * Why the camera, microphone or screen could not be had. 'insecure', 'no-webrtc' and
 * 'no-media-api' are the browser lacking what any call needs (see callSupportProblem);
 * 'unsupported' is one feature missing (screen sharing, a device change).
 */
export type MediaProblem = 'denied' | 'no-device' | 'in-use' | 'insecure' | 'no-webrtc' | 'no-media-api' | 'unsupported' | 'unknown';
/** What can go wrong with one device during a call (the browser-wide problems were ruled out before ringing). */
export type DeviceProblem = 'denied' | 'no-device' | 'in-use' | 'unsupported' | 'unknown';

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

/**
 * What this browser lacks for any call, null when nothing: checked before ringing anyone, so a
 * browser without WebRTC is told so instead of ringing the other side into a call that cannot
 * connect. Camera and microphone need a secure context; without one the browser hides them.
 */
export function callSupportProblem(): 'insecure' | 'no-webrtc' | 'no-media-api' | null {
  if (!window.isSecureContext) return 'insecure';
  if (typeof window.RTCPeerConnection !== 'function') return 'no-webrtc';
  if (typeof navigator.mediaDevices?.getUserMedia !== 'function') return 'no-media-api';
  return null;
}

/** Camera and microphone; microphone only when there is no camera; a MediaError otherwise (the browser's lacks first). */
export async function openLocalMedia(choice: { audioDeviceId?: string; videoDeviceId?: string; video?: boolean } = {}): Promise<MediaStream> {
  const lacking = callSupportProblem();
  if (lacking !== null) throw new MediaError(lacking);
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
  const stream = await navigator.mediaDevices.getUserMedia({ video: constraints }).catch((error: unknown) => {
    throw asMediaError(error);
  });
  const track = stream.getVideoTracks()[0];
  if (track === undefined) throw new MediaError('no-device');
  return track;
}

/** A browser's DOMException (or anything thrown) as the MediaError the screens explain. */
export function asMediaError(error: unknown): MediaError {
  if (error instanceof MediaError) return error;
  return new MediaError(problemOf(error instanceof Error ? error.name : ''));
}

/** The problem of one device during a call; a browser-wide lack reads as the feature unsupported. */
export function deviceProblemOf(error: unknown): DeviceProblem {
  const { problem } = asMediaError(error);
  if (problem === 'insecure' || problem === 'no-webrtc' || problem === 'no-media-api') return 'unsupported';
  return problem;
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
    case 'NotSupportedError':
    case 'TypeError':
      return 'unsupported';
    default:
      return 'unknown';
  }
}
