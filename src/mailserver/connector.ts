/**
 * One interface per mail-server kind. mailbot's commands and rules never talk to a server:
 * provisioning goes through SQL views (Dovecot/Postfix) and everything else through this
 * connector — the outbox worker (actions) and the activity sync (messages). A Zimbra SOAP admin
 * adapter would implement the same interface (see docs/mailserver.md).
 */

/** Headers and flags of one stored message, as the sync needs them. */
export interface ServerMessage {
  uid: number;
  messageId: string;
  from: string;
  subject: string;
  inReplyTo: string;
  autoSubmitted: string;
  precedence: string;
  listId: string;
  receivedAt: Date;
  answered: boolean;
}

/** What to read for one mailbox: messages after a UID, and answered ones received since a day. */
export interface MessageQuery {
  address: string;
  afterUid: number;
  afterSentUid: number;
  /** Oldest receipt among this mailbox's unanswered tracked messages; null: none waiting. */
  answeredSince: Date | null;
}

export interface MessageChanges {
  address: string;
  inbox: ServerMessage[];
  sent: ServerMessage[];
  answered: ServerMessage[];
}

export interface MailServerConnector {
  readonly kind: string;
  /** Ends every open session of the user (a lock takes effect at once, not at the next login). */
  kick(address: string): Promise<void>;
  /** Removes the stored mail of a revoked mailbox. */
  removeMail(address: string): Promise<void>;
  /** Batched: one round trip may serve several mailboxes. */
  readMessages(queries: readonly MessageQuery[]): Promise<MessageChanges[]>;
  /** Round trips made so far (for the bench and the sync report). */
  readonly calls: number;
}

export class ConnectorError extends Error {
  override readonly name = "ConnectorError";
}
