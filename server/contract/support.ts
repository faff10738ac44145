// What the support API sends and takes, shared with the pages: the conversation and message
// views, and the limits the contact and reply forms state and check before sending (the server
// checks them again). This module runs in the browser too: no Node import.

/** A name as people sign a message: longer than a member's first or last name alone. */
export const SUPPORT_NAME_MAX_CODE_POINTS = 100;
/** One line, like an e-mail subject. */
export const SUPPORT_SUBJECT_MAX_CODE_POINTS = 150;
/** A few screens of text: enough to describe a problem, bounded so the inbox stays readable. */
export const SUPPORT_MESSAGE_MAX_CODE_POINTS = 5000;

export const SUPPORT_STATES = ['open', 'answered', 'closed'] as const;
/** open: waiting for support; answered: support wrote last; closed: support closed it. */
export type SupportState = (typeof SUPPORT_STATES)[number];

/** POST /api/support/messages answers 201 with this: the reference to quote. */
export type SupportMessageSent = Readonly<{ reference: string }>;

/** One conversation in a list (the inbox, or a member's own). */
export type SupportConversationSummary = Readonly<{
  reference: string;
  subject: string;
  state: SupportState;
  createdAt: string;
  updatedAt: string;
  messages: number;
}>;

/** The inbox's view adds who wrote; a member's own list does not need it. */
export type SupportInboxEntry = SupportConversationSummary &
  Readonly<{
    name: string;
    email: string;
    /** Whether the person has an account (a member) or wrote as a prospect. */
    member: boolean;
  }>;

export type SupportMessageView = Readonly<{
  id: number;
  author: 'requester' | 'staff';
  /** For the staff's view only: the name of the staff member who replied; null for a requester or a former staff member. */
  staffName: string | null;
  body: string;
  createdAt: string;
}>;

export type SupportConversationView = Readonly<{
  conversation: SupportInboxEntry;
  messages: readonly SupportMessageView[];
}>;

/** A page of the inbox; `next`, when more conversations follow, is given back as `?after=` for the next page. */
export type SupportInbox = Readonly<{ conversations: readonly SupportInboxEntry[]; next: string | null }>;
export type SupportConversationList = Readonly<{ conversations: readonly SupportConversationSummary[] }>;
