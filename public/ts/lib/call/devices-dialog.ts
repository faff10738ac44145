// The dialog that picks the microphone, camera and speaker during a call. A device that cannot
// be used is reported through `onProblem` (the call screen shows it), never dropped.
//
// The speaker: Chromium lists its outputs and plays on the chosen one with setSinkId. Firefox has
// setSinkId but lists no output until the person picked one, through its own chooser
// (selectAudioOutput), so there the field is a button that opens that chooser. Safari has no
// setSinkId: the field is hidden and sound plays on the system's speaker.
import { el } from '../dom.js';
import { t } from '../messages.js';
import type { LocalMedia } from './local-media.js';
import { MediaError } from './media.js';

export type DeviceKind = 'camera' | 'microphone' | 'speaker';

type SinkElement = HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };
type AudioOutputChooser = { selectAudioOutput?: () => Promise<MediaDeviceInfo> };

export type DevicesDialogOptions = {
  media: LocalMedia;
  /** Where the other side's sound plays. */
  output: HTMLMediaElement;
  /** A new camera is in the preview. */
  onCameraChanged: () => void;
  onProblem: (kind: DeviceKind, error: unknown) => void;
};

export class DevicesDialog {
  readonly element: HTMLDialogElement;
  private readonly options: DevicesDialogOptions;
  private readonly chooseSpeaker: HTMLButtonElement;

  constructor(options: DevicesDialogOptions) {
    this.options = options;
    const field = (id: string, label: string, ...extra: HTMLElement[]): HTMLElement =>
      el('p', { class: 'field' }, el('label', { for: id }, label), el('select', { id }), ...extra);
    this.chooseSpeaker = el(
      'button',
      { type: 'button', class: 'button secondary', id: 'device-speaker-choose', hidden: true },
      t('call.devices.chooseSpeaker'),
    );
    this.element = el(
      'dialog',
      { class: 'devices-dialog', 'aria-labelledby': 'devices-title' },
      el(
        'form',
        { method: 'dialog' },
        el('h2', { id: 'devices-title' }, t('call.devices')),
        field('device-microphone', t('call.devices.microphone')),
        field('device-camera', t('call.devices.camera')),
        field('device-speaker', t('call.devices.speaker'), this.chooseSpeaker),
        el('p', {}, el('button', { class: 'button', value: 'close' }, t('call.devices.close'))),
      ),
    );
    this.chooseSpeaker.onclick = () => void this.pickSpeaker();
  }

  async open(): Promise<void> {
    const { media } = this.options;
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    this.fill('device-microphone', devices, 'audioinput', media.microphoneId, 'microphone', (deviceId) => media.useMicrophone(deviceId));
    this.fill('device-camera', devices, 'videoinput', media.cameraId, 'camera', async (deviceId) => {
      await media.useCamera(deviceId);
      this.options.onCameraChanged();
    });
    const output = this.options.output as SinkElement;
    const outputs = devices.filter((device) => device.kind === 'audiooutput');
    const chooser = (navigator.mediaDevices as MediaDevices & AudioOutputChooser).selectAudioOutput;
    const speakerField = this.element.querySelector('#device-speaker')?.closest<HTMLElement>('.field');
    if (output.setSinkId === undefined || speakerField === null || speakerField === undefined) speakerField?.setAttribute('hidden', '');
    else if (outputs.length === 0 && chooser !== undefined) {
      // Firefox: no output is listed before one was chosen in the browser's own chooser.
      speakerField.hidden = false;
      speakerField.querySelector('select')?.setAttribute('hidden', '');
      this.chooseSpeaker.hidden = false;
    } else {
      this.chooseSpeaker.hidden = true;
      speakerField.querySelector('select')?.removeAttribute('hidden');
      this.fill('device-speaker', devices, 'audiooutput', undefined, 'speaker', (deviceId) => this.playOn(deviceId));
    }
    this.element.showModal();
  }

  private async pickSpeaker(): Promise<void> {
    const chooser = navigator.mediaDevices as MediaDevices & AudioOutputChooser;
    try {
      if (chooser.selectAudioOutput === undefined) throw new MediaError('unsupported');
      const device = await chooser.selectAudioOutput();
      await this.playOn(device.deviceId);
    } catch (error) {
      this.options.onProblem('speaker', error);
    }
  }

  private async playOn(deviceId: string): Promise<void> {
    const output = this.options.output as SinkElement;
    if (output.setSinkId === undefined) throw new MediaError('unsupported');
    await output.setSinkId(deviceId);
  }

  private fill(
    id: string,
    devices: MediaDeviceInfo[],
    kind: MediaDeviceKind,
    current: string | undefined,
    problemKind: DeviceKind,
    use: (deviceId: string) => Promise<void>,
  ): void {
    const select = this.element.querySelector<HTMLSelectElement>(`#${id}`);
    if (select === null) return;
    const options = devices.filter((device) => device.kind === kind);
    select.replaceChildren(
      ...options.map((device, index) =>
        el('option', { value: device.deviceId, selected: device.deviceId === current }, device.label || `${t(`call.devices.${kind}`)} ${index + 1}`),
      ),
    );
    select.closest('.field')?.toggleAttribute('hidden', options.length === 0);
    select.onchange = () => void use(select.value).catch((error: unknown) => this.options.onProblem(problemKind, error));
  }
}
