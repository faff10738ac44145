import type { mailFr } from './mail.fr.js';

export const mailEn: Readonly<Record<keyof typeof mailFr, string>> = {
  'mail.greeting': 'Hello,',
  'mail.signature': 'Porthello — {publicOrigin}',
  'mail.reset.subject': 'Choose a new password',
  'mail.reset.intro':
    'Someone, most likely you, asked for a new password for the Porthello account of this e-mail address. Open this link to choose it; it works once and expires in {validity}.',
  'mail.reset.action': 'Choose a new password',
  'mail.reset.ignore': 'If you did not ask for anything, ignore this message: your password stays as it is.',
  'mail.verify.subject': 'Confirm your e-mail address',
  'mail.verify.intro':
    'To confirm that this e-mail address is yours, open this link. Until it is confirmed, nobody can call you. The link expires in {validity}.',
  'mail.verify.action': 'Confirm my e-mail address',
  'mail.verify.ignore': 'If you did not create an account, ignore this message.',
  'login.forgot': 'Forgot your password?',
  'forgot.title': 'Forgotten password',
  'forgot.lead': 'Type the e-mail address of your account: we send it a link to choose a new password, valid for {resetValidity}.',
  'forgot.noMail': 'This service sends no e-mail. Ask an administrator of your organisation for a link to choose a new password.',
  'forgot.submit': 'Send me the link',
  'reset.title': 'New password',
  'reset.lead': 'Choose your new password. Every device where you are logged in will be logged out.',
  'reset.submit': 'Save the password',
  'reset.again': 'Ask for a new link',
  'verify.title': 'Confirm your e-mail address',
  'verify.lead': 'Confirm that this e-mail address is yours: you can then be called and appear in the list of members.',
  'verify.submit': 'Confirm my address',
  'profile.news.title': 'News of the service',
  'profile.news.label': 'Receive news of the service by e-mail',
  'profile.news.hint': 'Never advertising. Necessary e-mails (forgotten password, address confirmation) are sent whatever you choose.',
  'client.resetSent': 'If an account uses this address, an e-mail is on its way with a link valid for {resetValidity}. Check your spam folder too.',
  'client.passwordReset': 'Password saved. Log in with the new one.',
  'client.invalid_link': 'This link no longer works: it was already used, has expired or was replaced by a newer one. Ask for a new one.',
  'client.emailVerified': 'E-mail address confirmed. You can now be called.',
  'client.verify.banner':
    'Confirm your e-mail address with the link we sent you. Until then nobody can call you, you are not in the list of members and you cannot call.',
  'client.verify.resend': 'Send the link again',
  'client.verify.resent': 'Link sent to {address}.',
  'client.too_many_mails': 'Too many e-mails asked for. Try again in {seconds} s.',
  'client.too_many_requests': 'Too many requests from your network. Try again in {seconds} s.',
  'client.already_verified': 'Your e-mail address is already confirmed.',
  'policy.changes.v20261130_3':
    'The call log also keeps whether an answered call went straight between the two browsers or through the relay (never an address); the organisation’s statistics count the share of relayed calls.',
  'policy.changes.v20261130_2':
    'Support messages and how long they are kept, which service news a member has read, where the service is hosted, and the “Do not disturb”, “Guests knock first” and “Blocked people” settings (a block set on a member is never shown to them).',
  'policy.changes.v20261130':
    'The data controller is named; the policy says exactly what is kept and for how long (including, in the call log, the name a guest typed and the duration), the relay, e-mails, backups and erasure tokens.',
  'policy.controller.title': 'Who is responsible for your data',
  'policy.controller.text': 'The data controller is {organisationName}. For any question about your data, write to: {organisationContact}.',
  'policy.controller.nameOnly': 'The data controller is {organisationName}.',
  'policy.controller.missing':
    'The organisation running this service has not named itself in its configuration yet: ask the person who invited you who is responsible for it.',
  'policy.hosting.title': 'Where the service is hosted',
  'policy.hosting.text': 'The server that runs this service and keeps its data is located at: {hostingLocation}.',
  'policy.hosting.missing': 'The organisation running this service has not stated where its server is hosted: ask the data controller.',
  'policy.stored.title': 'Exactly what is kept',
  'policy.stored.profile':
    'Your account: e-mail address, first name, last name, the bcrypt hash of your password, when it was created and last changed, whether your e-mail address is confirmed and whether you want news of the service by e-mail.',
  'policy.stored.picture': 'Your profile picture if you add one, in two sizes, re-encoded and without metadata.',
  'policy.stored.consents': 'The versions of this policy you accepted, and when.',
  'policy.stored.sessions':
    'Your logged-in devices: browser and system type, log-in time and last use. A session unused for {sessionIdle} ends, and every session after {sessionMax} at most.',
  'policy.stored.emailLinks':
    'Links sent by e-mail that were not used yet (new password: {resetValidity}; address confirmation: {verifyValidity}), as a hash; a link is erased as soon as it is used or expires.',
  'policy.stored.callLink': 'Your call link and its two settings (guest calls accepted, going through the relay).',
  'policy.stored.callLog':
    'Your call log: for each call you received, or made to another member, the day and time, the direction, the outcome (answered, missed, declined, busy), the duration, the number of rings, and the other party (the member, or the name the guest typed). The latest {callLogMax} are kept, until you delete them. Never the content of a call, never an IP address.',
  'policy.stored.inOtherMembersLogs':
    'Calls between you and another member also appear in their call log; if you delete your account they stay there without your name (“former member”).',
  'policy.stored.invitationsCreated':
    'For staff: the invitations you created (the address one is meant for, if any, its uses and expiry); if you delete your account they stay without your name, and ended ones are erased after 30 days.',
  'policy.stored.guestTicket': 'For a guest: a call ticket valid {guestTicket}, in memory only, used only to set up the call.',
  'policy.relay.title': 'The call relay',
  'policy.relay.embedded':
    'When two browsers cannot reach each other directly, the call goes through this server’s relay. It passes on encrypted data it cannot read and keeps none of it.',
  'policy.relay.external':
    'When two browsers cannot reach each other directly, the call goes through a relay the organisation runs on another server ({relayHosts}). It passes on encrypted data it cannot read.',
  'policy.relay.none': 'This service has no relay: calls only go directly between the two browsers.',
  'policy.email.title': 'E-mails',
  'policy.email.on':
    'This service sends e-mails through the organisation’s mail server ({smtpHost}): a link to confirm your e-mail address and, when you ask for it, a link to choose a new password. You can refuse news of the service by e-mail on your profile.',
  'policy.email.off': 'This service sends no e-mail: your address only serves to log you in.',
  'policy.backups.title': 'Backups',
  'policy.backups.text':
    'Backups made by the administrator keep a copy of the data as it was on that day (by default the latest {backupsKept}). When you delete your account, all that is left on the server is an erasure token: a code computed from the account’s internal identifier, which holds neither your name, nor your address, nor the date. It serves to erase your account again if an older backup is restored.',
};
