import { EVENT_TYPES, LocalizedMap } from '@suite/api-kit';

/**
 * One event of the catalog (README "Subscriptions"): what `GET /event-subscriptions` shows as
 * `event`. `eventSchema` maps every top-level field the emitting service can put into the event's
 * `data` to a type name (Emporix's vocabulary: String, Number, Boolean, Map, Object, Array); it is
 * also the list of fields a subscription may exclude.
 */
export interface CatalogEvent {
  /** Lower case, exactly as in EVENT_TYPES (EVT-2). */
  readonly type: string;
  readonly name: Readonly<LocalizedMap>;
  readonly group: Readonly<LocalizedMap>;
  readonly description: Readonly<LocalizedMap>;
  readonly eventSchema: Readonly<Record<string, string>>;
}

const GROUPS = {
  segment: { en: 'Customer Segment', de: 'Kundensegment' },
  category: { en: 'Category', de: 'Kategorie' },
  coupon: { en: 'Coupon', de: 'Gutschein' },
} as const;

// The `data` of each event as the emitting service builds it (its spec's event section and its
// mappers): apps/customer-segment segment.mapper / *-assignment.mapper with `tenant` added by
// inTenant(); apps/category categoryEventData / assignmentEventData; apps/coupon toManagerView,
// toRedemptionView and toCampaignView. Optional fields are listed too: they may be excluded.
const METADATA = 'Object';

const SEGMENT = {
  id: 'String',
  name: 'Map',
  description: 'Map',
  validity: 'Object',
  status: 'String',
  siteCode: 'String',
  mixins: 'Map',
  metadata: METADATA,
  tenant: 'String',
};
const CUSTOMER_ASSIGNMENT = {
  segmentId: 'String',
  customer: 'Object',
  legalEntity: 'Object',
  assignmentType: 'String',
  mixins: 'Map',
  metadata: METADATA,
  tenant: 'String',
};
const ITEM_ASSIGNMENT = { segmentId: 'String', type: 'String', item: 'Object', mixins: 'Map', metadata: METADATA, tenant: 'String' };

const CATEGORY = {
  id: 'String',
  type: 'String',
  parentId: 'String',
  code: 'String',
  localizedName: 'Map',
  name: 'String',
  localizedDescription: 'Map',
  description: 'String',
  localizedSlug: 'Map',
  ecn: 'Array',
  validity: 'Object',
  position: 'Number',
  published: 'Boolean',
  supercategoriesIds: 'Array',
  ownClassificationMixins: 'Array',
  classificationMixins: 'Array',
  mixins: 'Map',
  metadata: METADATA,
  tenant: 'String',
};
const CATEGORY_ASSIGNMENT = {
  id: 'String',
  categoryId: 'String',
  ref: 'Object',
  published: 'Boolean',
  metadata: METADATA,
  tenant: 'String',
};

const COUPON = {
  code: 'String',
  name: 'String',
  description: 'String',
  discountType: 'String',
  discountPercentage: 'Number',
  discountAbsolute: 'Object',
  discountCalculationType: 'String',
  allowAnonymous: 'Boolean',
  maxRedemptions: 'Number',
  maxRedemptionsPerCustomer: 'Number',
  categoryRestricted: 'Boolean',
  segmentRestricted: 'Boolean',
  automatic: 'Boolean',
  restrictions: 'Object',
  issuedTo: 'String',
  redemptionCount: 'Number',
  legalEntityRedemptions: 'Array',
  referralCoupon: 'Boolean',
  deleted: 'Boolean',
  status: 'String',
  mixins: 'Map',
  metadata: METADATA,
};
const REDEMPTION = {
  id: 'String',
  code: 'String',
  orderCode: 'String',
  customerNumber: 'String',
  legalEntityId: 'String',
  orderTotal: 'Object',
  discount: 'Object',
  redeemedAt: 'String',
  reservationId: 'String',
  rolledBack: 'Object',
};
const CAMPAIGN = {
  id: 'String',
  name: 'String',
  status: 'String',
  requested: 'Number',
  created: 'Number',
  codePattern: 'Object',
  template: 'Object',
  failure: 'Object',
  completedAt: 'String',
  metadata: METADATA,
};

type Text = { en: string; de: string };

function event(type: string, group: Text, name: Text, description: Text, eventSchema: Record<string, string>): CatalogEvent {
  return Object.freeze({
    type,
    group: Object.freeze({ ...group }),
    name: Object.freeze({ ...name }),
    description: Object.freeze({ ...description }),
    eventSchema: Object.freeze({ ...eventSchema }),
  });
}

const S = EVENT_TYPES.customerSegment;
const C = EVENT_TYPES.category;
const P = EVENT_TYPES.coupon;

/** Every event type of the suite (EVENT_TYPES), in the order the catalog lists them. */
export const EVENT_CATALOG: readonly CatalogEvent[] = Object.freeze([
  event(
    S.segmentCreated,
    GROUPS.segment,
    { en: 'Segment created', de: 'Segment erstellt' },
    {
      en: 'The event is emitted when a customer segment is created.',
      de: 'Das Ereignis wird ausgelöst, wenn ein Kundensegment erstellt wird.',
    },
    SEGMENT,
  ),
  event(
    S.segmentUpdated,
    GROUPS.segment,
    { en: 'Segment updated', de: 'Segment aktualisiert' },
    {
      en: 'The event is emitted when a customer segment is updated; it carries the status before the change.',
      de: 'Das Ereignis wird ausgelöst, wenn ein Kundensegment aktualisiert wird; es enthält den Status vor der Änderung.',
    },
    { ...SEGMENT, previousStatus: 'String' },
  ),
  event(
    S.segmentDeleted,
    GROUPS.segment,
    { en: 'Segment deleted', de: 'Segment gelöscht' },
    {
      en: 'The event is emitted when a customer segment is deleted.',
      de: 'Das Ereignis wird ausgelöst, wenn ein Kundensegment gelöscht wird.',
    },
    { id: 'String', tenant: 'String' },
  ),
  event(
    S.customerAssignmentCreated,
    GROUPS.segment,
    { en: 'Customer assignment created', de: 'Kundenzuordnung erstellt' },
    {
      en: 'The event is emitted when a customer is assigned to a segment.',
      de: 'Das Ereignis wird ausgelöst, wenn ein Kunde einem Segment zugeordnet wird.',
    },
    CUSTOMER_ASSIGNMENT,
  ),
  event(
    S.customerAssignmentUpdated,
    GROUPS.segment,
    { en: 'Customer assignment updated', de: 'Kundenzuordnung aktualisiert' },
    {
      en: "The event is emitted when a customer's segment assignment is rewritten.",
      de: 'Das Ereignis wird ausgelöst, wenn die Segmentzuordnung eines Kunden neu geschrieben wird.',
    },
    CUSTOMER_ASSIGNMENT,
  ),
  event(
    S.customerAssignmentDeleted,
    GROUPS.segment,
    { en: 'Customer assignment deleted', de: 'Kundenzuordnung gelöscht' },
    {
      en: 'The event is emitted when a customer is removed from a segment, also when the segment is deleted.',
      de: 'Das Ereignis wird ausgelöst, wenn ein Kunde aus einem Segment entfernt wird, auch beim Löschen des Segments.',
    },
    { segmentId: 'String', customerId: 'String', legalEntityId: 'String', tenant: 'String' },
  ),
  event(
    S.itemAssignmentCreated,
    GROUPS.segment,
    { en: 'Item assignment created', de: 'Artikelzuordnung erstellt' },
    {
      en: 'The event is emitted when an item (a product or a category) is assigned to a segment.',
      de: 'Das Ereignis wird ausgelöst, wenn ein Artikel (ein Produkt oder eine Kategorie) einem Segment zugeordnet wird.',
    },
    ITEM_ASSIGNMENT,
  ),
  event(
    S.itemAssignmentUpdated,
    GROUPS.segment,
    { en: 'Item assignment updated', de: 'Artikelzuordnung aktualisiert' },
    {
      en: "The event is emitted when an item's segment assignment is rewritten.",
      de: 'Das Ereignis wird ausgelöst, wenn die Segmentzuordnung eines Artikels neu geschrieben wird.',
    },
    ITEM_ASSIGNMENT,
  ),
  event(
    S.itemAssignmentDeleted,
    GROUPS.segment,
    { en: 'Item assignment deleted', de: 'Artikelzuordnung gelöscht' },
    {
      en: 'The event is emitted when an item is removed from a segment, also when the segment is deleted.',
      de: 'Das Ereignis wird ausgelöst, wenn ein Artikel aus einem Segment entfernt wird, auch beim Löschen des Segments.',
    },
    { segmentId: 'String', type: 'String', itemId: 'String', tenant: 'String' },
  ),
  event(
    C.created,
    GROUPS.category,
    { en: 'Category created', de: 'Kategorie erstellt' },
    { en: 'The event is emitted when a category is created.', de: 'Das Ereignis wird ausgelöst, wenn eine Kategorie erstellt wird.' },
    CATEGORY,
  ),
  event(
    C.updated,
    GROUPS.category,
    { en: 'Category updated', de: 'Kategorie aktualisiert' },
    {
      en: 'The event is emitted when a category is updated, also when it moves because its parent was deleted.',
      de:
        'Das Ereignis wird ausgelöst, wenn eine Kategorie aktualisiert wird, auch wenn sie verschoben wird, ' +
        'weil ihre übergeordnete Kategorie gelöscht wurde.',
    },
    CATEGORY,
  ),
  event(
    C.deleted,
    GROUPS.category,
    { en: 'Category deleted', de: 'Kategorie gelöscht' },
    { en: 'The event is emitted when a category is deleted.', de: 'Das Ereignis wird ausgelöst, wenn eine Kategorie gelöscht wird.' },
    { id: 'String' },
  ),
  event(
    C.assignmentCreated,
    GROUPS.category,
    { en: 'Category assignment created', de: 'Kategoriezuordnung erstellt' },
    {
      en: 'The event is emitted when a product or another reference is assigned to a category.',
      de: 'Das Ereignis wird ausgelöst, wenn ein Produkt oder eine andere Referenz einer Kategorie zugeordnet wird.',
    },
    CATEGORY_ASSIGNMENT,
  ),
  event(
    C.assignmentDeleted,
    GROUPS.category,
    { en: 'Category assignment deleted', de: 'Kategoriezuordnung gelöscht' },
    {
      en: 'The event is emitted when an assignment is removed from a category, also when the category is deleted.',
      de: 'Das Ereignis wird ausgelöst, wenn eine Zuordnung aus einer Kategorie entfernt wird, auch beim Löschen der Kategorie.',
    },
    { id: 'String', categoryId: 'String', ref: 'Object', tenant: 'String' },
  ),
  event(
    P.created,
    GROUPS.coupon,
    { en: 'Coupon created', de: 'Gutschein erstellt' },
    {
      en: 'The event is emitted when a coupon is created, including referral coupons.',
      de: 'Das Ereignis wird ausgelöst, wenn ein Gutschein erstellt wird, auch ein Empfehlungsgutschein.',
    },
    COUPON,
  ),
  event(
    P.updated,
    GROUPS.coupon,
    { en: 'Coupon updated', de: 'Gutschein aktualisiert' },
    { en: 'The event is emitted when a coupon is updated.', de: 'Das Ereignis wird ausgelöst, wenn ein Gutschein aktualisiert wird.' },
    COUPON,
  ),
  event(
    P.deleted,
    GROUPS.coupon,
    { en: 'Coupon deleted', de: 'Gutschein gelöscht' },
    {
      en: 'The event is emitted when a coupon is deleted; it carries the coupon as it was deleted.',
      de: 'Das Ereignis wird ausgelöst, wenn ein Gutschein gelöscht wird; es enthält den Gutschein im gelöschten Zustand.',
    },
    COUPON,
  ),
  event(
    P.redemptionCreated,
    GROUPS.coupon,
    { en: 'Redemption created', de: 'Einlösung erstellt' },
    { en: 'The event is emitted when a coupon is redeemed.', de: 'Das Ereignis wird ausgelöst, wenn ein Gutschein eingelöst wird.' },
    REDEMPTION,
  ),
  event(
    P.redemptionDeleted,
    GROUPS.coupon,
    { en: 'Redemption deleted', de: 'Einlösung gelöscht' },
    {
      en: 'The event is emitted when a redemption is deleted, also when its coupon is deleted.',
      de: 'Das Ereignis wird ausgelöst, wenn eine Einlösung gelöscht wird, auch beim Löschen ihres Gutscheins.',
    },
    REDEMPTION,
  ),
  event(
    P.redemptionRolledBack,
    GROUPS.coupon,
    { en: 'Redemption rolled back', de: 'Einlösung zurückgenommen' },
    {
      en: 'The event is emitted when a redemption is rolled back and its use is given back (suite extension).',
      de: 'Das Ereignis wird ausgelöst, wenn eine Einlösung zurückgenommen und ihre Nutzung zurückgegeben wird (Erweiterung der Suite).',
    },
    REDEMPTION,
  ),
  event(
    P.campaignCreated,
    GROUPS.coupon,
    { en: 'Code campaign created', de: 'Code-Kampagne erstellt' },
    {
      en: 'The event is emitted when a code campaign is started (suite extension); no event is emitted per generated coupon.',
      de:
        'Das Ereignis wird ausgelöst, wenn eine Code-Kampagne gestartet wird (Erweiterung der Suite); ' +
        'pro erzeugtem Gutschein wird kein Ereignis ausgelöst.',
    },
    CAMPAIGN,
  ),
  event(
    P.campaignCompleted,
    GROUPS.coupon,
    { en: 'Code campaign completed', de: 'Code-Kampagne abgeschlossen' },
    {
      en: 'The event is emitted when a code campaign has generated all its coupons or failed (suite extension).',
      de: 'Das Ereignis wird ausgelöst, wenn eine Code-Kampagne alle Gutscheine erzeugt hat oder gescheitert ist (Erweiterung der Suite).',
    },
    CAMPAIGN,
  ),
  event(
    P.campaignDeleted,
    GROUPS.coupon,
    { en: 'Code campaign deleted', de: 'Code-Kampagne gelöscht' },
    {
      en: 'The event is emitted when a code campaign and its coupons are deleted (suite extension).',
      de: 'Das Ereignis wird ausgelöst, wenn eine Code-Kampagne mit ihren Gutscheinen gelöscht wird (Erweiterung der Suite).',
    },
    CAMPAIGN,
  ),
]);

const BY_TYPE: ReadonlyMap<string, CatalogEvent> = new Map(EVENT_CATALOG.map((e) => [e.type, e]));

/** The canonical (lower-case) catalog type of `type`, matched case-insensitively; undefined when it is not in the catalog. */
export function catalogType(type: unknown): string | undefined {
  if (typeof type !== 'string') return undefined;
  const lower = type.toLowerCase();
  return BY_TYPE.has(lower) ? lower : undefined;
}

/** Whether `type` names a catalog event (case-insensitive: `CATEGORY.CREATED` is `category.created`). */
export function isCatalogType(type: unknown): type is string {
  return catalogType(type) !== undefined;
}

/** The catalog entry of `type` (case-insensitive), or undefined. */
export function catalogEvent(type: unknown): CatalogEvent | undefined {
  const canonical = catalogType(type);
  return canonical === undefined ? undefined : BY_TYPE.get(canonical);
}
