// The in-call screen: the other person's video (or their initials while they send none, with
// their microphone and camera state), our own preview, the connection state and quality in plain
// words, the verification code both people read aloud, the controls (microphone, camera, camera switch, screen share, full screen, chat,
// devices, hang up) and the chat. It follows one CallSession and asks its LocalMedia for camera,
// microphone and screen changes; what fails is said on the screen. The page only hears about
// the hang-up.
import { avatar } from '../call-ui.js';
import { el } from '../dom.js';
import { type ClientMessageKey, t } from '../messages.js';
import { CHAT_MAX_CHARS, type CallConnection, type ChatMessage, type ConnectionPhase } from './connection.js';
import { DevicesDialog, type DeviceKind } from './devices-dialog.js';
import type { LocalMedia } from './local-media.js';
import { deviceProblemOf } from './media.js';
import type { PeerMediaState } from './peer-state.js';
import { assessQuality, type Quality, type QualityReading } from './quality.js';
import type { CallSession } from './session.js';
import { VerificationView } from './verification-view.js';

/** A call in the browser: over an RTCPeerConnection, with the page's camera and microphone. */
export type BrowserCallSession = CallSession<MediaStream, CallConnection, LocalMedia>;

export type CallScreenOptions = {
  container: HTMLElement;
  session: BrowserCallSession;
  peerName: string;
  onHangUp: () => void;
};

/** How often the path (direct or relayed) and the quality are read from getStats while connected. */
const STATS_REFRESH_MS = 5000;

type ButtonName = 'mute' | 'camera' | 'switch' | 'share' | 'fullScreen' | 'chat' | 'devices' | 'hangUp';

export class CallScreen {
  private readonly options: CallScreenOptions;
  private readonly root: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly remoteVideo: HTMLVideoElement;
  private readonly peerAvatar: HTMLElement;
  private readonly peerFlags: HTMLElement;
  private readonly localTile: HTMLElement;
  private readonly localVideo: HTMLVideoElement;
  private readonly status: HTMLElement;
  private readonly path: HTMLElement;
  private readonly quality: HTMLElement;
  private readonly problem: HTMLElement;
  private readonly verification: VerificationView;
  private readonly playSound: HTMLButtonElement;
  private readonly chatLog: HTMLElement;
  private readonly chatPanel: HTMLElement;
  private readonly chatInput: HTMLInputElement;
  private readonly buttons: Record<ButtonName, HTMLButtonElement>;
  private readonly devices: DevicesDialog;
  private readonly media: LocalMedia;
  private readonly unwatch: () => void;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private lastReading: QualityReading | null = null;
  private unread = 0;

  constructor(options: CallScreenOptions) {
    this.options = options;
    this.media = options.session.media;
    const name = options.peerName;

    this.remoteVideo = el('video', { class: 'remote-video', autoplay: true, playsinline: true, 'aria-label': t('call.remoteVideo', { name }) });
    this.peerAvatar = el('div', { class: 'peer-avatar', hidden: true }, avatar(name, null, 'large'));
    this.peerFlags = el('p', { class: 'peer-flags', role: 'status' });
    this.localVideo = el('video', { class: 'local-video', autoplay: true, playsinline: true, muted: true, 'aria-label': t('call.localVideo') });
    this.localVideo.muted = true;
    this.localVideo.srcObject = this.media.stream;
    this.localTile = el('div', { class: 'local-tile' }, this.localVideo, el('p', { class: 'local-off' }, t('call.self.cameraOff')));
    this.status = el('p', { class: 'call-status', role: 'status', 'aria-live': 'polite' }, t('call.status.connecting'));
    this.path = el('p', { class: 'call-path', hidden: true });
    this.quality = el('p', { class: 'call-quality', role: 'status', hidden: true });
    this.problem = el('div', { class: 'call-problem', role: 'alert', hidden: true });
    const { role, calleeCommitment } = options.session;
    this.verification = new VerificationView(name, role === 'caller' ? { role, calleeCommitment } : { role });
    this.playSound = el('button', { type: 'button', class: 'button call-play-sound', hidden: true }, t('call.playSound', { name }));
    this.playSound.onclick = () => void this.playRemote();

    const button = (key: string, label: string, extra: Record<string, string> = {}): HTMLButtonElement =>
      el(
        'button',
        { type: 'button', class: `call-button call-button-${key}`, 'aria-label': label, title: label, ...extra },
        el('span', { class: 'icon', 'aria-hidden': 'true' }),
      );
    this.buttons = {
      mute: button('mute', t('call.mute'), { 'aria-pressed': 'false' }),
      camera: button('camera', t('call.cameraOff'), { 'aria-pressed': 'false' }),
      switch: button('switch', t('call.switchCamera')),
      share: button('share', t('call.share'), { 'aria-pressed': 'false' }),
      fullScreen: button('full-screen', t('call.fullScreen'), { 'aria-pressed': 'false' }),
      chat: button('chat', t('call.chat'), { 'aria-expanded': 'false', 'aria-controls': 'call-chat' }),
      devices: button('devices', t('call.devices')),
      hangUp: button('hang-up', t('call.hangUp')),
    };
    if (!this.media.hasCamera) this.buttons.camera.disabled = true;
    // Screen capture does not exist on phones; hide the button rather than fail.
    if (typeof navigator.mediaDevices?.getDisplayMedia !== 'function') this.buttons.share.hidden = true;
    // Phones' Safari has no element full screen (only a video's own player).
    if (document.fullscreenEnabled !== true) this.buttons.fullScreen.hidden = true;

    // The list keeps its list semantics; the region around it is the live log.
    this.chatLog = el('ol', { class: 'chat-log' });
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
      el('div', { class: 'chat-scroll', role: 'log', 'aria-live': 'polite', 'aria-label': t('call.chat') }, this.chatLog),
      chatForm,
    );
    this.devices = new DevicesDialog({
      media: this.media,
      output: this.remoteVideo,
      onCameraChanged: () => this.showMediaState(true),
      onProblem: (kind, error) => this.showProblem(kind, error),
    });

    this.stage = el(
      'div',
      { class: 'call-stage' },
      this.remoteVideo,
      this.peerAvatar,
      this.localTile,
      this.playSound,
      el(
        'div',
        { class: 'call-info' },
        el('h2', { class: 'call-peer' }, name),
        this.status,
        this.path,
        this.quality,
        this.peerFlags,
        this.verification.element,
      ),
      this.problem,
    );
    this.root = el(
      'section',
      { class: 'call-screen', 'aria-label': t('call.with', { name }) },
      this.stage,
      this.chatPanel,
      el('div', { class: 'call-controls', role: 'toolbar', 'aria-label': t('call.controls') }, ...Object.values(this.buttons)),
      this.devices.element,
    );
    options.container.replaceChildren(this.root);

    this.buttons.mute.onclick = () => {
      this.media.toggleMute();
      this.showMediaState();
    };
    this.buttons.camera.onclick = () => this.act('camera', () => this.media.toggleCamera(), true);
    this.buttons.switch.onclick = () => this.act('camera', () => this.media.switchCamera(), true);
    this.buttons.share.onclick = () => this.act('screen', () => this.media.toggleShare());
    this.buttons.fullScreen.onclick = () => void this.toggleFullScreen();
    this.buttons.chat.onclick = () => this.toggleChat();
    this.buttons.devices.onclick = () => void this.devices.open();
    this.buttons.hangUp.onclick = () => options.onHangUp();
    this.chatPanel.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      this.toggleChat();
    });
    document.addEventListener('fullscreenchange', this.followFullScreen);
    chatForm.onsubmit = (event) => {
      event.preventDefault();
      if (options.session.connection.sendChat(this.chatInput.value)) {
        this.addChat({ text: this.chatInput.value.trim(), sentAt: new Date().toISOString() }, true);
        this.chatInput.value = '';
      }
    };
    void this.updateSwitchButton();
    this.media.onChange = () => this.showMediaState();
    this.showMediaState();
    this.unwatch = options.session.watch({
      onRemoteStream: (stream) => this.showRemoteStream(stream),
      onPhase: (phase) => this.showPhase(phase),
      onChat: (message) => this.addChat(message, false),
      onPeerState: (state) => this.showPeerState(state),
    });
    // After answering, the keyboard starts on the controls. Later: a dialog closing in the same
    // turn (the incoming call's) gives focus back to what had it before.
    setTimeout(() => {
      if (this.root.isConnected && !this.root.contains(document.activeElement)) this.buttons.mute.focus();
    }, 0);
  }

  /** Takes the screen away and stops its timers (the session stops the tracks). */
  close(): void {
    clearInterval(this.statsTimer);
    this.unwatch();
    this.media.onChange = null;
    document.removeEventListener('fullscreenchange', this.followFullScreen);
    if (document.fullscreenElement === this.stage) void document.exitFullscreen().catch(() => undefined);
    this.root.remove();
  }

  private showRemoteStream(stream: MediaStream): void {
    if (this.remoteVideo.srcObject === stream) return;
    this.remoteVideo.srcObject = stream;
    void this.playRemote();
  }

  /**
   * Safari (and any browser whose autoplay policy asks for a tap) may refuse to play sound by
   * itself: then a button plays it, the tap being the permission the browser waits for.
   */
  private async playRemote(): Promise<void> {
    try {
      await this.remoteVideo.play();
      this.playSound.hidden = true;
    } catch (error) {
      if (error instanceof Error && error.name === 'NotAllowedError') this.playSound.hidden = false;
    }
  }

  private showPhase(phase: ConnectionPhase): void {
    this.status.textContent = t(`call.status.${phase}`);
    this.root.dataset['phase'] = phase;
    clearInterval(this.statsTimer);
    if (phase === 'connected') {
      void this.refreshStats();
      this.statsTimer = setInterval(() => void this.refreshStats(), STATS_REFRESH_MS);
    }
  }

  /** Their microphone and camera: icons on their tile, their initials instead of a stopped picture. */
  private showPeerState(state: PeerMediaState): void {
    const name = this.options.peerName;
    const flags: HTMLElement[] = [];
    if (state.muted)
      flags.push(el('span', { class: 'peer-flag peer-muted' }, el('span', { class: 'icon', 'aria-hidden': 'true' }), t('call.peer.muted', { name })));
    if (!state.video)
      flags.push(el('span', { class: 'peer-flag peer-camera-off' }, el('span', { class: 'icon', 'aria-hidden': 'true' }), t('call.peer.cameraOff', { name })));
    this.peerFlags.replaceChildren(...flags);
    this.peerAvatar.hidden = state.video;
    this.root.dataset['peerMuted'] = String(state.muted);
    this.root.dataset['peerVideo'] = state.video ? (state.screen ? 'screen' : 'camera') : 'none';
  }

  private async refreshStats(): Promise<void> {
    const { connection } = this.options.session;
    void this.verification.refresh(connection);
    const path = await connection.path().catch(() => null);
    if (path !== null) {
      this.options.session.notePath(path.kind);
      this.path.hidden = false;
      this.path.textContent = t(`call.path.${path.kind}`);
      this.root.dataset['path'] = path.kind;
    }
    const reading = await connection.qualityReading().catch(() => null);
    if (reading === null) return;
    this.showQuality(assessQuality(this.lastReading, reading));
    this.lastReading = reading;
  }

  private showQuality(quality: Quality): void {
    this.root.dataset['quality'] = quality;
    this.quality.hidden = quality === 'good';
    const text = quality === 'good' ? '' : t(`call.quality.${quality}`);
    if (this.quality.textContent !== text) this.quality.textContent = text;
  }

  /** Runs a device action; what fails is said on the screen, and the controls show where things stand. */
  private act(kind: DeviceKind | 'screen', action: () => Promise<void>, cameraChanged = false): void {
    this.problem.hidden = true;
    void action()
      .catch((error: unknown) => this.showProblem(kind, error))
      .finally(() => this.showMediaState(cameraChanged));
  }

  private showProblem(kind: DeviceKind | 'screen', error: unknown): void {
    const problem = deviceProblemOf(error);
    const close = el('button', { type: 'button', class: 'call-problem-close', 'aria-label': t('call.problem.close'), title: t('call.problem.close') }, '×');
    close.onclick = () => {
      this.problem.hidden = true;
      this.buttons.mute.focus();
    };
    this.problem.replaceChildren(el('p', {}, t(`call.problem.${kind}.${problem}`)), close);
    this.problem.dataset['problem'] = `${kind}.${problem}`;
    this.problem.hidden = false;
  }

  /** The toggles, the preview and what the other side is told, as the local media now stands. */
  private showMediaState(cameraChanged = false): void {
    const { media } = this;
    this.setToggle(this.buttons.mute, media.muted, media.muted ? 'call.unmute' : 'call.mute');
    if (media.hasCamera || !this.buttons.camera.disabled) {
      this.setToggle(this.buttons.camera, !media.cameraOn, media.cameraOn ? 'call.cameraOff' : 'call.cameraOn');
    }
    this.setToggle(this.buttons.share, media.sharing, media.sharing ? 'call.stopShare' : 'call.share');
    // A new camera track: the preview picks it up.
    if (cameraChanged) this.localVideo.srcObject = media.stream;
    this.localTile.dataset['camera'] = media.cameraOn ? 'on' : 'off';
    const noMicrophone = media.stream.getAudioTracks().length === 0;
    this.options.session.connection.sendState({ muted: media.muted || noMicrophone, video: media.cameraOn || media.sharing, screen: media.sharing });
  }

  private async toggleFullScreen(): Promise<void> {
    if (document.fullscreenElement === this.stage) await document.exitFullscreen().catch(() => undefined);
    else await this.stage.requestFullscreen().catch(() => undefined);
  }

  private readonly followFullScreen = (): void => {
    const full = document.fullscreenElement === this.stage;
    this.setToggle(this.buttons.fullScreen, full, full ? 'call.exitFullScreen' : 'call.fullScreen');
  };

  private toggleChat(): void {
    const open = this.chatPanel.hidden;
    this.chatPanel.hidden = !open;
    this.buttons.chat.setAttribute('aria-expanded', String(open));
    if (open) {
      this.unread = 0;
      this.buttons.chat.removeAttribute('data-unread');
      this.chatInput.focus();
    } else this.buttons.chat.focus();
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
