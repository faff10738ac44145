// The in-call screen: the other person's video, our own preview, the connection state in plain
// words, the controls (microphone, camera, camera switch, screen share, chat, devices, hang up)
// and the chat. It follows one CallSession and asks its LocalMedia for camera, microphone and
// screen changes; the page only hears about the hang-up.
import { el } from '../dom.js';
import { type ClientMessageKey, t } from '../messages.js';
import { CHAT_MAX_CHARS, type CallConnection, type ChatMessage, type ConnectionPhase } from './connection.js';
import type { LocalMedia } from './local-media.js';
import type { CallSession } from './session.js';

/** A call in the browser: over an RTCPeerConnection, with the page's camera and microphone. */
export type BrowserCallSession = CallSession<MediaStream, CallConnection, LocalMedia>;

export type CallScreenOptions = {
  container: HTMLElement;
  session: BrowserCallSession;
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
  private readonly media: LocalMedia;
  private readonly unwatch: () => void;
  private pathTimer: ReturnType<typeof setInterval> | undefined;
  private unread = 0;

  constructor(options: CallScreenOptions) {
    this.options = options;
    this.media = options.session.media;

    this.remoteVideo = el('video', {
      class: 'remote-video',
      autoplay: true,
      playsinline: true,
      'aria-label': t('call.remoteVideo', { name: options.peerName }),
    });
    this.localVideo = el('video', { class: 'local-video', autoplay: true, playsinline: true, muted: true, 'aria-label': t('call.localVideo') });
    this.localVideo.muted = true;
    this.localVideo.srcObject = this.media.stream;
    this.status = el('p', { class: 'call-status', role: 'status', 'aria-live': 'polite' }, t('call.status.connecting'));
    this.path = el('p', { class: 'call-path', hidden: true });

    const button = (name: string, label: string, extra: Record<string, string> = {}): HTMLButtonElement =>
      el(
        'button',
        { type: 'button', class: `call-button call-button-${name}`, 'aria-label': label, title: label, ...extra },
        el('span', { class: 'icon', 'aria-hidden': 'true' }),
      );
    this.buttons = {
      mute: button('mute', t('call.mute'), { 'aria-pressed': 'false' }),
      camera: button('camera', t('call.cameraOff'), { 'aria-pressed': 'false' }),
      switch: button('switch', t('call.switchCamera')),
      share: button('share', t('call.share'), { 'aria-pressed': 'false' }),
      chat: button('chat', t('call.chat'), { 'aria-expanded': 'false', 'aria-controls': 'call-chat' }),
      devices: button('devices', t('call.devices')),
      hangUp: button('hang-up', t('call.hangUp')),
    };
    if (!this.media.hasCamera) this.buttons.camera.disabled = true;
    // Screen capture does not exist on phones; hide the button rather than fail.
    if (navigator.mediaDevices?.getDisplayMedia === undefined) this.buttons.share.hidden = true;

    this.chatLog = el('ol', { class: 'chat-log', role: 'log', 'aria-live': 'polite', 'aria-label': t('call.chat') });
    this.chatInput = el('input', {
      type: 'text',
      id: 'call-chat-input',
      maxlength: String(CHAT_MAX_CHARS),
      autocomplete: 'off',
      placeholder: t('call.chat.placeholder'),
    });
    const chatForm = el(
      'form',
      { class: 'chat-form' },
      el('label', { for: 'call-chat-input', class: 'visually-hidden' }, t('call.chat.placeholder')),
      this.chatInput,
      el('button', { type: 'submit', class: 'button' }, t('call.chat.send')),
    );
    this.chatPanel = el(
      'section',
      { id: 'call-chat', class: 'chat-panel', hidden: true, 'aria-label': t('call.chat') },
      el('p', { class: 'chat-note' }, t('call.chat.note')),
      this.chatLog,
      chatForm,
    );
    this.devicesDialog = this.buildDevicesDialog();

    this.root = el(
      'section',
      { class: 'call-screen', 'aria-label': t('call.with', { name: options.peerName }) },
      el(
        'div',
        { class: 'call-stage' },
        this.remoteVideo,
        this.localVideo,
        el('div', { class: 'call-info' }, el('h2', { class: 'call-peer' }, options.peerName), this.status, this.path),
      ),
      this.chatPanel,
      el('div', { class: 'call-controls', role: 'toolbar', 'aria-label': t('call.controls') }, ...Object.values(this.buttons)),
      this.devicesDialog,
    );
    options.container.replaceChildren(this.root);

    this.buttons.mute.onclick = () => {
      this.media.toggleMute();
      this.showMediaState();
    };
    this.buttons.camera.onclick = () => void this.media.toggleCamera().then(() => this.showMediaState(true));
    this.buttons.switch.onclick = () => void this.media.switchCamera().then(() => this.showMediaState(true));
    this.buttons.share.onclick = () => void this.media.toggleShare().then(() => this.showMediaState());
    this.buttons.chat.onclick = () => this.toggleChat();
    this.buttons.devices.onclick = () => void this.openDevices();
    this.buttons.hangUp.onclick = () => options.onHangUp();
    chatForm.onsubmit = (event) => {
      event.preventDefault();
      if (options.session.connection.sendChat(this.chatInput.value)) {
        this.addChat({ text: this.chatInput.value.trim(), sentAt: new Date().toISOString() }, true);
        this.chatInput.value = '';
      }
    };
    void this.updateSwitchButton();
    this.media.onChange = () => this.showMediaState();
    this.unwatch = options.session.watch({
      onRemoteStream: (stream) => this.showRemoteStream(stream),
      onPhase: (phase) => this.showPhase(phase),
      onChat: (message) => this.addChat(message, false),
    });
  }

  private showRemoteStream(stream: MediaStream): void {
    if (this.remoteVideo.srcObject !== stream) this.remoteVideo.srcObject = stream;
  }

  private showPhase(phase: ConnectionPhase): void {
    this.status.textContent = t(`call.status.${phase}`);
    this.root.dataset['phase'] = phase;
    clearInterval(this.pathTimer);
    if (phase === 'connected') {
      void this.refreshPath();
      this.pathTimer = setInterval(() => void this.refreshPath(), PATH_REFRESH_MS);
    }
  }

  /** Takes the screen away and stops its timers (the session stops the tracks). */
  close(): void {
    clearInterval(this.pathTimer);
    this.unwatch();
    this.media.onChange = null;
    this.root.remove();
  }

  private async refreshPath(): Promise<void> {
    const path = await this.options.session.connection.path().catch(() => null);
    if (path === null) return;
    this.path.hidden = false;
    this.path.textContent = t(`call.path.${path.kind}`);
    this.root.dataset['path'] = path.kind;
  }

  /** The toggles and the preview, as the local media now stands. */
  private showMediaState(cameraChanged = false): void {
    this.setToggle(this.buttons.mute, this.media.muted, this.media.muted ? 'call.unmute' : 'call.mute');
    if (this.media.hasCamera || !this.buttons.camera.disabled) {
      this.setToggle(this.buttons.camera, !this.media.cameraOn, this.media.cameraOn ? 'call.cameraOff' : 'call.cameraOn');
    }
    this.setToggle(this.buttons.share, this.media.sharing, this.media.sharing ? 'call.stopShare' : 'call.share');
    // A new camera track: the preview picks it up.
    if (cameraChanged) this.localVideo.srcObject = this.media.stream;
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
      el(
        'li',
        { class: mine ? 'chat-mine' : 'chat-theirs' },
        el('span', { class: 'chat-author' }, mine ? t('call.you') : this.options.peerName),
        el('span', { class: 'chat-text' }, message.text),
        el('time', { class: 'chat-time', datetime: message.sentAt }, shownTime),
      ),
    );
    this.chatLog.lastElementChild?.scrollIntoView({ block: 'end' });
    if (!mine && this.chatPanel.hidden) {
      this.unread += 1;
      this.buttons.chat.dataset['unread'] = String(this.unread);
    }
  }

  private buildDevicesDialog(): HTMLDialogElement {
    const field = (id: string, label: string): HTMLElement => el('p', { class: 'field' }, el('label', { for: id }, label), el('select', { id }));
    const dialog = el(
      'dialog',
      { class: 'devices-dialog', 'aria-labelledby': 'devices-title' },
      el(
        'form',
        { method: 'dialog' },
        el('h2', { id: 'devices-title' }, t('call.devices')),
        field('device-microphone', t('call.devices.microphone')),
        field('device-camera', t('call.devices.camera')),
        field('device-speaker', t('call.devices.speaker')),
        el('p', {}, el('button', { class: 'button', value: 'close' }, t('call.devices.close'))),
      ),
    );
    return dialog;
  }

  private async openDevices(): Promise<void> {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const fill = (id: string, kind: MediaDeviceKind, current: string | undefined, onChange: (deviceId: string) => Promise<void>): void => {
      const select = this.devicesDialog.querySelector<HTMLSelectElement>(`#${id}`);
      if (select === null) return;
      const options = devices.filter((device) => device.kind === kind);
      select.replaceChildren(
        ...options.map((device, index) =>
          el('option', { value: device.deviceId, selected: device.deviceId === current }, device.label || `${t(`call.devices.${kind}`)} ${index + 1}`),
        ),
      );
      select.closest('.field')?.toggleAttribute('hidden', options.length === 0);
      select.onchange = () => void onChange(select.value);
    };
    fill('device-microphone', 'audioinput', this.media.microphoneId, (deviceId) => this.media.useMicrophone(deviceId));
    fill('device-camera', 'videoinput', this.media.cameraId, async (deviceId) => {
      await this.media.useCamera(deviceId);
      this.showMediaState(true);
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
