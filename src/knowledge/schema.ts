import { z } from "zod";

// The shapes of the files operators edit. Checked with file:line messages by load.ts.

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, "ids are lower-case letters, digits and dashes (e.g. retention-video)");
const text = z.string().trim().min(1, "must not be empty");

const factEntry = z.union([text, z.object({ text, section: text.optional() }).strict()]);

/** A sentence template: `{row}`, `{value}` (a cell's own value) and `{<column id or name>}` are filled in. */
const sentence = text;

const column = z.object({ name: text, aliases: z.array(text).default([]), sentence: sentence.optional() }).strict();

const row = z
  .object({ name: text, aliases: z.array(text).default([]), note: text.optional() })
  .catchall(z.string());

const table = z
  .object({
    title: text,
    key: text,
    section: text.optional(),
    /** How a whole row is said; without it, every cell in the column's own sentence or the general one. */
    sentence: sentence.optional(),
    columns: z.record(id, column),
    rows: z.record(id, row),
  })
  .strict();

/** knowledge/<name>.yaml: facts of one section of the article, and its tables. */
export const knowledgeFileSchema = z
  .object({
    section: text,
    facts: z.record(id, factEntry).default({}),
    tables: z.record(id, table).default({}),
  })
  .strict();

/**
 * What naming an entity of a group does to a match: `veto` (a subject the knowledge base does not cover:
 * out of scope), `other-subject` (another subject, ours only when the rest of the question is),
 * `component` (a named thing: an intent that never mentions it is not asked), `slot` (a value the
 * dialog remembers, never held against an intent).
 */
export const ENTITY_ROLES = ["veto", "other-subject", "component", "slot"] as const;
export type EntityRole = (typeof ENTITY_ROLES)[number];

/** knowledge/lexicon.yaml: synonyms, stopwords and entities for the matcher. */
export const lexiconFileSchema = z
  .object({
    synonyms: z.record(text, z.array(z.union([text, z.number().transform(String)]))),
    stopwords: z.array(z.union([text, z.number().transform(String)])).default([]),
    entities: z.record(text, z.array(text)).default({}),
    /** Entity group → its role; a group not listed is a `component`. */
    roles: z
      .record(text, z.enum(ENTITY_ROLES, { message: `a role is one of ${ENTITY_ROLES.join(", ")}` }))
      .optional(),
    frames: z.array(text).default([]),
    /** Words that name the knowledge base's subject or its setting: they never say which topic is asked. */
    subject: z.array(text).optional(),
    /**
     * Terms people describe instead of naming: the words of what the thing is (`kinds`: 短视频) and of
     * what it belongs to (`of`: 微信). "微信里那个发短片的号" reads as the term.
     */
    descriptions: z.record(text, z.object({ kinds: z.array(text).min(1), of: z.array(text).default([]) }).strict()).optional(),
  })
  .strict();

/** knowledge/canned-replies.yaml: ready answers agents insert in the console (a short title, the text). */
export const cannedRepliesFileSchema = z
  .object({
    replies: z
      .array(
        z
          .object({
            title: text.max(16, "a title is at most 16 characters: it labels a button"),
            text: text.max(4000, "a reply is at most 4000 characters (the console's limit)"),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

const refList = z.array(text).default([]);

const slotValue = z
  .object({
    /** How the value is named to the user ("企业号"). */
    label: text,
    /** Entity terms of the lexicon that state this value ("企业"). */
    words: z.array(text).min(1, "a slot value needs at least one word that states it"),
    /** Said with "the other steps are the same" when this value's variant of a procedure is asked. */
    "before-last-step": text.optional(),
  })
  .strict();

/** knowledge/slots.yaml: what users say about themselves that changes an answer (e.g. their kind of account). */
export const slotsFileSchema = z
  .object({
    slots: z.record(
      id,
      z
        .object({
          values: z.record(id, slotValue),
          /** Values whose variant is said anyway (as "if you are …") before a procedure's last step, while the value is unknown. */
          "when-unknown": z.array(id).default([]),
        })
        .strict(),
    ),
  })
  .strict();

/** intents/<name>.yaml: a list of intents. */
export const intentSchema = z
  .object({
    id,
    title: text,
    type: z.enum(["faq", "clarify", "smalltalk", "handoff", "out-of-scope"]).default("faq"),
    examples: z.array(z.union([text, z.number().transform(String)])).min(1, "an intent needs at least one example"),
    keywords: z.array(text).default([]),
    lead: text.optional(),
    reply: text.optional(),
    answer: refList,
    steps: refList,
    caveats: refList,
    retention: refList,
    options: z.array(id).default([]),
    related: z.array(id).default([]),
    /** Per slot value (a value id of knowledge/slots.yaml), facts said only for users who have it. */
    variants: z.record(id, refList).default({}),
    why: refList,
    /** What answering this intent says the user wants to do (remembered, so "怎么弄" later resumes it). */
    goal: id.optional(),
    /** Offer this intent among the default suggestions when nothing matched. */
    suggest: z.boolean().default(false),
  })
  .strict();

export const intentFileSchema = z.array(intentSchema);

export type KnowledgeFile = z.infer<typeof knowledgeFileSchema>;
export type LexiconFile = z.infer<typeof lexiconFileSchema>;
export type CannedRepliesFile = z.infer<typeof cannedRepliesFileSchema>;
export type IntentSpec = z.infer<typeof intentSchema>;
export type SlotsFile = z.infer<typeof slotsFileSchema>;
