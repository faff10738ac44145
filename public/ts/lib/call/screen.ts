// The in-call screen: the other person's video, our own preview, the connection state in plain
// words, the controls (microphone, camera, camera switch, screen share, chat, devices, hang up)
// and the chat. It drives the local media and the CallConnection; the page only hears about
// the hang-up.
import { el } from '../dom.js';
import { type ClientMessageKey, t } from '../messages.js';
import { CHAT_MAX_CHARS, type CallConnection, type ChatMessage, type ConnectionPhase } from './connection.js';
import { openCamera } from './media.js';

export type CallScreenOptions = {
  container: HTMLElement;
  connection: CallConnection;
  localStream: MediaStream;
  peerName: string;
  onHangUp: () => void;
};

/** How often the path (direct or relayed) is read from getStats while connected. */
const PATH_REFRESH_MS = 5000;

type SetSinkId = HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };

export class CallScreen {
  private readonly options: CallScreenOptions;
  private readonly root: HTMLElement;
  private readonly remoteVideo: HTMLVideoElement;
  private readonly localVideo: HTMLVideoElement;
  private readonly status: HTMLElement;
  private readonly path: HTMLElement;
  private readonly chatLog: HTMLElement;
  private readonly chatPanel: HTMLElement;
  private readonly chatInput: HTMLInputElement;
  private readonly buttons: Record<'mute' | 'camera' | 'switch' | 'share' | 'chat' | 'devices' | 'hangUp', HTMLButtonElement>;
  private readonly devicesDialog: HTMLDialogElement;
  private cameraTrack: MediaStreamTrack | null;
  private screenTrack: MediaStreamTrack | null = null;
  private facing: 'user' | 'environment' = 'user';
  private pathTimer: ReturnType<typeof setInterval> | undefined;
  private unread = 0;

  constructor(options: CallScreenOptions) {
    this.options = options;
    this.cameraTrack = options.localStream.getVideoTracks()[0] ?? null;

    this.remoteVideo = el('video', { class: 'remote-video', autoplay: true, playsinline: true, 'aria-label': t('call.remoteVideo', { name: options.peerName }) });
    this.localVideo = el('video', { class: 'local-video', autoplay: true, playsinline: true, muted: true, 'aria-label': t('call.localVideo') });
    this.localVideo.muted = true;
    this.localVideo.srcObject = options.localStream;
    this.status = el('p', { class: 'call-status', role: 'status', 'aria-live': 'polite' }, t('call.status.connecting'));
    this.path = el('p', { class: 'call-path', hidden: true });

    const button = (name: string, label: string, extra: Record<string, string> = {}): HTMLButtonElement =>
      el('button', { type: 'button', class: `call-button call-button-${name}`, 'aria-label': label, title: label, ...extra }, el('span', { class: 'icon', 'aria-hidden': 'true' }));
    this.buttons = {
      mute: button('mute', t('call.mute'), { 'aria-pressed': 'false' }),
      camera: button('camera', t('call.cameraOff'), { 'aria-pressed': 'false' }),
      switch: button('switch', t('call.switchCamera')),
      share: button('share', t('call.share'), { 'aria-pressed': 'false' }),
      chat: button('chat', t('call.chat'), { 'aria-expanded': 'false', 'aria-controls': 'call-chat' }),
      devices: button('devices', t('call.devices')),
      hangUp: button('hang-up', t('call.hangUp')),
    };
    if (this.cameraTrack === null) this.buttons.camera.disabled = true;
    // Screen capture does not exist on phones; hide the button rather than fail.
    if (navigator.mediaDevices?.getDisplayMedia === undefined) this.buttons.share.hidden = true;

    this.chatLog = el('ol', { class: 'chat-log', role: 'log', 'aria-live': 'polite', 'aria-label': t('call.chat') });
    this.chatInput = el('input', { type: 'text', id: 'call-chat-input', maxlength: String(CHAT_MAX_CHARS), autocomplete: 'off', placeholder: t('call.chat.placeholder') });
    const chatForm = el(
      'form',
      { class: 'chat-form' },
      el('label', { for: 'call-chat-input', class: 'visually-hidden' }, t('call.chat.placeholder')),
      this.chatInput,
      el('button', { type: 'submit', class: 'button' }, t('call.chat.send')),
    );
    this.chatPanel = el('section', { id: 'call-chat', class: 'chat-panel', hidden: true, 'aria-label': t('call.chat') },
      el('p', { class: 'chat-note' }, t('call.chat.note')), this.chatLog, chatForm);
    this.devicesDialog = this.buildDevicesDialog();

    this.root = el(
      'section',
      { class: 'call-screen', 'aria-label': t('call.with', { name: options.peerName }) },
      el('div', { class: 'call-stage' }, this.remoteVideo, this.localVideo,
        el('div', { class: 'call-info' }, el('h2', { class: 'call-peer' }, options.peerName), this.status, this.path)),
      this.chatPanel,
      el('div', { class: 'call-controls', role: 'toolbar', 'aria-label': t('call.controls') }, ...Object.values(this.buttons)),
      this.devicesDialog,
    );
    options.container.replaceChildren(this.root);

    this.buttons.mute.onclick = () => this.toggleMute();
    this.buttons.camera.onclick = () => void this.toggleCamera();
    this.buttons.switch.onclick = () => void this.switchCamera();
    this.buttons.share.onclick = () => void this.toggleShare();
    this.buttons.chat.onclick = () => this.toggleChat();
    this.buttons.devices.onclick = () => void this.openDevices();
    this.buttons.hangUp.onclick = () => options.onHangUp();
    chatForm.onsubmit = (event) => {
      event.preventDefault();
      if (options.connection.sendChat(this.chatInput.value)) {
        this.addChat({ text: this.chatInput.value.trim(), sentAt: new Date().toISOString() }, true);
        this.chatInput.value = '';
      }
    };
    void this.updateSwitchButton();
  }

  showRemoteStream(stream: MediaStream): void {
    if (this.remoteVideo.srcObject !== stream) this.remoteVideo.srcObject = stream;
  }

  showPhase(phase: ConnectionPhase): void {
    this.status.textContent = t(`call.status.${phase}`);
    this.root.dataset['phase'] = phase;
    clearInterval(this.pathTimer);
    if (phase === 'connected') {
      void this.refreshPath();
      this.pathTimer = setInterval(() => void this.refreshPath(), PATH_REFRESH_MS);
    }
  }

  showChat(message: ChatMessage): void {
    this.addChat(message, false);
  }

  /** Stops every local track (the camera light goes off) and the timers. */
  close(): void {
    clearInterval(this.pathTimer);
    for (const track of this.options.localStream.getTracks()) track.stop();
    this.cameraTrack?.stop();
    this.screenTrack?.stop();
    this.root.remove();
  }

  private async refreshPath(): Promise<void> {
    const path = await this.options.connection.path().catch(() => null);
    if (path === null) return;
    this.path.hidden = false;
    this.path.textContent = t(`call.path.${path.kind}`);
    this.root.dataset['path'] = path.kind;
  }

  private toggleMute(): void {
    const tracks = this.options.localStream.getAudioTracks();
    const muted = tracks.some((track) => track.enabled);
    for (const track of tracks) track.enabled = !muted;
    this.setToggle(this.buttons.mute, muted, muted ? 'call.unmute' : 'call.mute');
  }

  /** Camera off stops the track, so the camera light goes off too; on opens it again. */
  private async toggleCamera(): Promise<void> {
    if (this.cameraTrack !== null && this.cameraTrack.readyState === 'live') {
      this.cameraTrack.stop();
      this.options.localStream.removeTrack(this.cameraTrack);
      this.cameraTrack = null;
      if (this.screenTrack === null) await this.options.connection.replaceTrack('video', null, this.options.localStream);
      this.setToggle(this.buttons.camera, true, 'call.cameraOn');
      return;
    }
    const track = await openCamera(undefined, this.facing).catch(() => null);
    if (track === null) return;
    await this.useCamera(track);
    this.setToggle(this.buttons.camera, false, 'call.cameraOff');
  }

  private async switchCamera(): Promise<void> {
    const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((device) => device.kind === 'videoinput');
    if (cameras.length < 2) return;
    const current = this.cameraTrack?.getSettings().deviceId;
    const index = cameras.findIndex((device) => device.deviceId === current);
    const next = cameras[(index + 1) % cameras.length];
    this.facing = this.facing === 'user' ? 'environment' : 'user';
    this.cameraTrack?.stop();
    const track = await openCamera(next?.deviceId).catch(() => null);
    if (track !== null) await this.useCamera(track);
  }

  private async useCamera(track: MediaStreamTrack): Promise<void> {
    for (const old of this.options.localStream.getVideoTracks()) {
      old.stop();
      this.options.localStream.removeTrack(old);
    }
    this.options.localStream.addTrack(track);
    this.cameraTrack = track;
    this.localVideo.srcObject = this.options.localStream;
    if (this.screenTrack === null) await this.options.connection.replaceTrack('video', track, this.options.localStream);
  }

  private async toggleShare(): Promise<void> {
    if (this.screenTrack !== null) {
      this.stopShare();
      return;
    }
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).catch(() => null);
    const track = stream?.getVideoTracks()[0];
    if (stream === null || stream === undefined || track === undefined) return;
    this.screenTrack = track;
    track.onended = () => this.stopShare();
    await this.options.connection.replaceTrack('video', track, stream);
    this.setToggle(this.buttons.share, true, 'call.stopShare');
  }

  private stopShare(): void {
    this.screenTrack?.stop();
    this.screenTrack = null;
    void this.options.connection.replaceTrack('video', this.cameraTrack, this.options.localStream);
    this.setToggle(this.buttons.share, false, 'call.share');
  }

  private toggleChat(): void {
    const open = this.chatPanel.hidden;
    this.chatPanel.hidden = !open;
    this.buttons.chat.setAttribute('aria-expanded', String(open));
    if (open) {
      this.unread = 0;
      this.buttons.chat.removeAttribute('data-unread');
      this.chatInput.focus();
    }
  }

  private addChat(message: ChatMessage, mine: boolean): void {
    const time = new Date(message.sentAt);
    const shownTime = Number.isNaN(time.getTime()) ? '' : time.toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
    this.chatLog.append(
      el('li', { class: mine ? 'chat-mine' : 'chat-theirs' },
        el('span', { class: 'chat-author' }, mine ? t('call.you') : this.options.peerName),
        el('span', { class: 'chat-text' }, message.text),
        el('time', { class: 'chat-time', datetime: message.sentAt }, shownTime)),
    );
    this.chatLog.lastElementChild?.scrollIntoView({ block: 'end' });
    if (!mine && this.chatPanel.hidden) {
      this.unread += 1;
      this.buttons.chat.dataset['unread'] = String(this.unread);
    }
  }

  private buildDevicesDialog(): HTMLDialogElement {
    const field = (id: string, label: string): HTMLElement =>
      el('p', { class: 'field' }, el('label', { for: id }, label), el('select', { id }));
    const dialog = el('dialog', { class: 'devices-dialog', 'aria-labelledby': 'devices-title' },
      el('form', { method: 'dialog' },
        el('h2', { id: 'devices-title' }, t('call.devices')),
        field('device-microphone', t('call.devices.microphone')),
        field('device-camera', t('call.devices.camera')),
        field('device-speaker', t('call.devices.speaker')),
        el('p', {}, el('button', { class: 'button', value: 'close' }, t('call.devices.close')))));
    return dialog;
  }

  private async openDevices(): Promise<void> {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const fill = (id: string, kind: MediaDeviceKind, current: string | undefined, onChange: (deviceId: string) => Promise<void>): void => {
      const select = this.devicesDialog.querySelector<HTMLSelectElement>(`#${id}`);
      if (select === null) return;
      const options = devices.filter((device) => device.kind === kind);
      select.replaceChildren(...options.map((device, index) =>
        el('option', { value: device.deviceId, selected: device.deviceId === current }, device.label || `${t(`call.devices.${kind}`)} ${index + 1}`)));
      select.closest('.field')?.toggleAttribute('hidden', options.length === 0);
      select.onchange = () => void onChange(select.value);
    };
    fill('device-microphone', 'audioinput', this.options.localStream.getAudioTracks()[0]?.getSettings().deviceId, async (deviceId) => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: deviceId } } });
      const track = stream.getAudioTracks()[0];
      if (track === undefined) return;
      for (const old of this.options.localStream.getAudioTracks()) {
        track.enabled = old.enabled;
        old.stop();
        this.options.localStream.removeTrack(old);
      }
      this.options.localStream.addTrack(track);
      await this.options.connection.replaceTrack('audio', track, this.options.localStream);
    });
    fill('device-camera', 'videoinput', this.cameraTrack?.getSettings().deviceId, async (deviceId) => {
      const track = await openCamera(deviceId);
      await this.useCamera(track);
    });
    const remote = this.remoteVideo as SetSinkId;
    if (remote.setSinkId === undefined) this.devicesDialog.querySelector('#device-speaker')?.closest('.field')?.setAttribute('hidden', '');
    else fill('device-speaker', 'audiooutput', undefined, async (deviceId) => remote.setSinkId?.(deviceId));
    this.devicesDialog.showModal();
  }

  private async updateSwitchButton(): Promise<void> {
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    this.buttons.switch.hidden = devices.filter((device) => device.kind === 'videoinput').length < 2;
  }

  private setToggle(button: HTMLButtonElement, pressed: boolean, labelKey: ClientMessageKey): void {
    button.setAttribute('aria-pressed', String(pressed));
    button.setAttribute('aria-label', t(labelKey));
    button.title = t(labelKey);
  }
}
