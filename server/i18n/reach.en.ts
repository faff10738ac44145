// English for reach.fr.ts (the reference); spread into en.ts.
import type { reachFr } from './reach.fr.js';

export const reachEn: Readonly<Record<keyof typeof reachFr, string>> = {
  'reach.title': 'Who may ring me',
  'reach.lead':
    'Choose when people may ring you and who no longer may. Someone who may not ring you only hears that you are unavailable, as if you were not connected: they are not told why.',
  'reach.back': 'Back to calls',
  'reach.dnd.title': 'Do not disturb',
  'reach.dnd.now': 'Do not disturb now',
  'reach.dnd.nowHint': 'Nothing rings until you untick it. Calls that come in meanwhile are in your call log, as missed calls.',
  'reach.schedule.title': 'Weekly schedule',
  'reach.schedule.days': 'Days the quiet time starts on',
  'reach.schedule.start': 'From',
  'reach.schedule.end': 'To',
  'reach.schedule.timeZone': 'Time zone',
  'reach.schedule.hint':
    'For example from 22:00 to 07:00: an end before the start runs to the next morning. The same start and end make the whole day. With no day ticked, there is no schedule.',
  'reach.schedule.save': 'Save the schedule',
  'reach.day.mon': 'Monday',
  'reach.day.tue': 'Tuesday',
  'reach.day.wed': 'Wednesday',
  'reach.day.thu': 'Thursday',
  'reach.day.fri': 'Friday',
  'reach.day.sat': 'Saturday',
  'reach.day.sun': 'Sunday',
  'reach.knock.title': 'Guests knock first',
  'reach.knock.label': 'Guests knock before coming in',
  'reach.knock.hint':
    'A guest’s call then arrives as a knock, with their name and an optional note: you let them in or refuse. A refused guest cannot knock again for a while. Members ring as usual.',
  'reach.blocks.title': 'Blocked people',
  'reach.blocks.lead':
    'A blocked member or guest hears that you are unavailable and your phone never rings for them. To block someone, choose “Block” while they ring you, or right after their call.',
  'reach.blocks.empty': 'You have not blocked anyone.',
  'reach.link': 'Who may ring me: do not disturb, blocked people',
  'calls.incoming.block': 'Block',
  'guest.knock.note': 'A word for {name} (optional)',
  'guest.knock.hint': '{name} lets guests in one by one: your call arrives with your name and this note, {knockNoteMax} characters at most.',
  'client.guest.knocking': 'You are knocking at {name}’s door… Wait for the answer.',
  'client.guest.knockRefused': '{name} did not let you in. You can knock again later.',
  'client.calls.knock.title': 'A guest is knocking',
  'client.calls.knock.letIn': 'Let in',
  'client.calls.knock.refuse': 'Refuse',
  'client.reach.quietNow': 'Do not disturb is on: calls do not ring, callers are told you are unavailable.',
  'client.reach.ringsNow': 'Calls ring right now.',
  'client.reach.kind.member': 'member',
  'client.reach.kind.guest': 'guest, through your call link',
  'client.reach.blockedOn': 'blocked on {date}',
  'client.reach.unblock': 'Unblock',
  'client.reach.unblockLabel': 'Unblock {name}',
  'client.reach.unblocked': '{name} may ring you again.',
  'client.reach.block': 'Block {name}',
  'client.reach.blocked': '{name} is blocked: their calls will not ring any more. You can unblock them from “Who may ring me”.',
  'client.invalid_reach_settings': 'Check the schedule: times like 22:00 and a known time zone.',
  'client.unknown_time_zone': 'This time zone is not known. Choose one from the list.',
  'client.too_many_blocks': 'Your list is full. Unblock someone first.',
  'client.unknown_guest': 'This guest can no longer be blocked: their call was too long ago.',
  'client.cannot_block_self': 'You cannot block yourself.',
  'help.reach.dnd.title': 'Do not disturb',
  'help.reach.dnd.text':
    'On the “Who may ring me” page, tick “Do not disturb now”, or choose days and hours in your time zone (for example Monday to Friday, 22:00 to 07:00). Meanwhile nothing rings; the caller hears that you are unavailable, and the call shows in your call log as a missed call. A call that is ringing when the quiet time starts stops ringing at once, in the same way.',
  'help.reach.knock.title': 'Guests knock first',
  'help.reach.knock.text':
    'On the “Who may ring me” page, tick “Guests knock before coming in”. A guest who opens your call link may then leave you a short note; their call arrives with their name and that note, and you choose “Let in” or “Refuse”. A refused guest cannot knock again for a while.',
  'help.reach.block.title': 'Blocking someone',
  'help.reach.block.text':
    'While a member or a guest rings you, or right after their call, choose “Block”. Their calls never ring again and they only hear that you are unavailable, exactly as if you were not connected: they are not told they are blocked. A guest is blocked for their browser session on your call link; if they come back another way, replace your link. The list, with “Unblock”, is on the “Who may ring me” page.',
  'policy.stored.doNotDisturb':
    'Your do-not-disturb settings (on or off, the weekly schedule with your time zone) and whether guests knock first. A knocking guest’s note is never kept.',
  'policy.stored.blocked':
    'The people you blocked: a member, or the name a guest typed with a random identifier of their browser session on your call link, and the date.',
  'policy.stored.blockedBy':
    'If another member blocked you: their choice, erased with your account or theirs. You are not told of it: you only hear that this member is unavailable.',
};
