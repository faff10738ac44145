// This page's camera, microphone and screen share during one call: it owns the MediaStream the
// preview shows, turns the camera off and on, switches cameras and devices, shares the screen,
// and puts whatever should be sent on the connection. The call screen only draws its state.
// A device that cannot be had rejects with a MediaError, which the screen shows; nothing here
// swallows one.
import { asMediaError, MediaError, openCamera } from './media.js';

/** Where the outgoing tracks go: the call's connection, once there is one. */
export type TrackSink = {
  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null, stream: MediaStream): Promise<void>;
};

export class LocalMedia {
  /** What the preview shows: the microphone and, while it is on, the camera. */
  readonly stream: MediaStream;
  /** Told when the state changes without a call from the screen (the browser ended a share). */
  onChange: (() => void) | null = null;
  private sink: TrackSink | null = null;
  private cameraTrack: MediaStreamTrack | null;
  private screenTrack: MediaStreamTrack | null = null;
  private facing: 'user' | 'environment' = 'user';
  private stopped = false;

  constructor(stream: MediaStream) {
    this.stream = stream;
    this.cameraTrack = stream.getVideoTracks()[0] ?? null;
  }

  /** The connection that sends our tracks; replacements go to it from now on. */
  sendTo(sink: TrackSink): void {
    this.sink = sink;
  }

  get hasCamera(): boolean {
    return this.cameraTrack !== null;
  }

  /** Whether there is a microphone and it is muted. */
  get muted(): boolean {
    const tracks = this.stream.getAudioTracks();
    return tracks.length > 0 && !tracks.some((track) => track.enabled);
  }

  get cameraOn(): boolean {
    return this.cameraTrack !== null && this.cameraTrack.readyState === 'live';
  }

  get sharing(): boolean {
    return this.screenTrack !== null;
  }

  get microphoneId(): string | undefined {
    return this.stream.getAudioTracks()[0]?.getSettings().deviceId;
  }

  get cameraId(): string | undefined {
    return this.cameraTrack?.getSettings().deviceId;
  }

  toggleMute(): void {
    const mute = !this.muted;
    for (const track of this.stream.getAudioTracks()) track.enabled = !mute;
  }

  /** Camera off stops the track, so the camera light goes off too; on opens it again. */
  async toggleCamera(): Promise<void> {
    if (this.cameraTrack !== null && this.cameraTrack.readyState === 'live') {
      this.cameraTrack.stop();
      this.stream.removeTrack(this.cameraTrack);
      this.cameraTrack = null;
      if (this.screenTrack === null) await this.send('video', null, this.stream);
      return;
    }
    await this.useCameraTrack(await openCamera(undefined, this.facing));
  }

  /** The next camera, on a device that has several (front and back on a phone). */
  async switchCamera(): Promise<void> {
    const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((device) => device.kind === 'videoinput');
    if (cameras.length < 2) return;
    const index = cameras.findIndex((device) => device.deviceId === this.cameraId);
    const next = cameras[(index + 1) % cameras.length];
    this.facing = this.facing === 'user' ? 'environment' : 'user';
    this.cameraTrack?.stop();
    await this.useCameraTrack(await openCamera(next?.deviceId));
  }

  async useCamera(deviceId: string): Promise<void> {
    await this.useCameraTrack(await openCamera(deviceId));
  }

  /** Another microphone; a muted microphone stays muted. */
  async useMicrophone(deviceId: string): Promise<void> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: deviceId } } }).catch((error: unknown) => {
      throw asMediaError(error);
    });
    const track = stream.getAudioTracks()[0];
    if (track === undefined) throw new MediaError('no-device');
    for (const old of this.stream.getAudioTracks()) {
      track.enabled = old.enabled;
      old.stop();
      this.stream.removeTrack(old);
    }
    this.stream.addTrack(track);
    await this.send('audio', track, this.stream);
  }

  /** Starts sharing the screen instead of the camera, or goes back to the camera. */
  async toggleShare(): Promise<void> {
    if (this.screenTrack !== null) {
      this.stopShare();
      return;
    }
    if (typeof navigator.mediaDevices?.getDisplayMedia !== 'function') throw new MediaError('unsupported');
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).catch((error: unknown) => {
      throw asMediaError(error);
    });
    const track = stream.getVideoTracks()[0];
    if (track === undefined) throw new MediaError('no-device');
    this.screenTrack = track;
    // The browser's own "stop sharing" button.
    track.onended = () => {
      this.stopShare();
      this.onChange?.();
    };
    await this.send('video', track, stream);
  }

  /** Stops every track (the camera light goes off); for good. */
  stop(): void {
    this.stopped = true;
    for (const track of this.stream.getTracks()) track.stop();
    this.cameraTrack?.stop();
    this.screenTrack?.stop();
  }

  private stopShare(): void {
    this.screenTrack?.stop();
    this.screenTrack = null;
    void this.send('video', this.cameraTrack, this.stream);
  }

  private async useCameraTrack(track: MediaStreamTrack): Promise<void> {
    if (this.stopped) {
      // The call ended while the camera was opening.
      track.stop();
      return;
    }
    for (const old of this.stream.getVideoTracks()) {
      old.stop();
      this.stream.removeTrack(old);
    }
    this.stream.addTrack(track);
    this.cameraTrack = track;
    if (this.screenTrack === null) await this.send('video', track, this.stream);
  }

  private async send(kind: 'audio' | 'video', track: MediaStreamTrack | null, stream: MediaStream): Promise<void> {
    await this.sink?.replaceTrack(kind, track, stream);
  }
}
