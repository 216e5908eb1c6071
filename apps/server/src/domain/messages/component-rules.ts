import { ButtonStyle, ComponentType } from '@hearth/protocol';
import { FieldErrors } from '../applications/command-rules';

type Path = Array<string | number>;
type Json = Record<string, unknown>;

/** Discord's limits on message components (and a modal's text inputs). */
const ComponentLimits = {
  rows: 5,
  buttonsPerRow: 5,
  customId: 100,
  label: 80,
  url: 512,
  selectOptions: 25,
  optionText: 100,
  placeholder: 150,
  textInputLabel: 45,
  textInputPlaceholder: 100,
  textInputLength: 4000,
} as const;

const SELECTS: ReadonlySet<number> = new Set([
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
]);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where components are: on a message (buttons and selects) or in a modal (text inputs). */
export type ComponentPlace = 'message' | 'modal';

/**
 * Checks a message's (or a modal's) components against Discord's rules and returns them as stored, only the fields
 * Discord knows: action rows (≤ 5) holding up to 5 buttons or one select on a message, one text input in a modal;
 * custom_ids ≤ 100 characters and unique; link buttons with a url and no custom_id; premium buttons with a sku_id
 * only; labels ≤ 80; ≤ 25 select options with min ≤ max. Every broken rule is one 50035 field error.
 */
export function checkComponents(input: unknown, place: ComponentPlace, root: Path = ['components']): Json[] {
  const errors = new FieldErrors();
  const out = componentsOf(input, place, root, errors);
  errors.throwIfAny();
  return out;
}

function componentsOf(input: unknown, place: ComponentPlace, root: Path, errors: FieldErrors): Json[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) {
    errors.add(root, 'BASE_TYPE_ARRAY', 'Must be an array.');
    return [];
  }
  if (input.length > ComponentLimits.rows)
    errors.add(root, 'BASE_TYPE_MAX_LENGTH', `Must be ${ComponentLimits.rows} or fewer in length.`);
  if (place === 'modal' && input.length < 1) errors.add(root, 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more.');
  const customIds = new Set<string>();
  return input.slice(0, ComponentLimits.rows).map((row, i) => {
    const path = [...root, i];
    if (!isObject(row) || row.type !== ComponentType.ActionRow) {
      errors.add(
        [...path, 'type'],
        'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
        'Top-level components must be action rows.',
      );
      return { type: ComponentType.ActionRow, components: [] };
    }
    const children = Array.isArray(row.components) ? row.components : [];
    const childPath = [...path, 'components'];
    if (!children.length) errors.add(childPath, 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
    const kinds = children.map((c) => (isObject(c) ? c.type : undefined));
    const buttons = kinds.filter((k) => k === ComponentType.Button).length;
    if (buttons > ComponentLimits.buttonsPerRow)
      errors.add(
        childPath,
        'BASE_TYPE_MAX_LENGTH',
        `Must be ${ComponentLimits.buttonsPerRow} or fewer in length.`,
      );
    if (children.length > 1 && buttons !== children.length)
      errors.add(
        childPath,
        'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
        'A select menu or text input takes a whole action row.',
      );
    const components = children
      .slice(0, ComponentLimits.buttonsPerRow)
      .map((c, j) => component(c, place, [...childPath, j], errors, customIds));
    return {
      type: ComponentType.ActionRow,
      ...(typeof row.id === 'number' ? { id: row.id } : {}),
      components,
    };
  });
}

function component(
  c: unknown,
  place: ComponentPlace,
  path: Path,
  errors: FieldErrors,
  customIds: Set<string>,
): Json {
  if (!isObject(c)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Must be an object.');
    return {};
  }
  const type = c.type;
  const allowed =
    place === 'modal'
      ? type === ComponentType.TextInput
      : type === ComponentType.Button || (typeof type === 'number' && SELECTS.has(type));
  if (!allowed) {
    errors.add(
      [...path, 'type'],
      'COMPONENT_TYPE_INVALID',
      place === 'modal'
        ? 'A modal holds text inputs.'
        : 'Messages hold buttons and select menus; text inputs belong in modals.',
    );
    return {};
  }
  const text = (key: string, max: number, opts: { required?: boolean; min?: number } = {}) => {
    const v = c[key];
    if (v === undefined || v === null) {
      if (opts.required) errors.add([...path, key], 'BASE_TYPE_REQUIRED', 'This field is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      errors.add([...path, key], 'BASE_TYPE_STRING', 'Must be a string.');
      return undefined;
    }
    if (v.length > max)
      errors.add([...path, key], 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    if (opts.min !== undefined && v.length < opts.min)
      errors.add([...path, key], 'BASE_TYPE_MIN_LENGTH', `Must be ${opts.min} or more in length.`);
    return v;
  };
  const int = (key: string, min: number, max: number) => {
    const v = c[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      errors.add([...path, key], 'NUMBER_TYPE_MAX', `Must be an integer from ${min} to ${max}.`);
      return undefined;
    }
    return v;
  };
  const bool = (key: string) => (typeof c[key] === 'boolean' ? (c[key] as boolean) : undefined);
  const customId = (required: boolean) => {
    const id = text('custom_id', ComponentLimits.customId, { required, min: 1 });
    if (id !== undefined) {
      if (customIds.has(id))
        errors.add(
          [...path, 'custom_id'],
          'COMPONENT_CUSTOM_ID_DUPLICATED',
          'Component custom id cannot be duplicated',
        );
      customIds.add(id);
    }
    return id;
  };
  const out: Json = { type };
  const set = (key: string, v: unknown) => {
    if (v !== undefined) out[key] = v;
  };
  if (typeof c.id === 'number' && Number.isInteger(c.id)) out.id = c.id;

  if (type === ComponentType.Button) {
    const style = int('style', ButtonStyle.Primary, ButtonStyle.Premium);
    if (style === undefined) errors.add([...path, 'style'], 'BASE_TYPE_REQUIRED', 'This field is required');
    set('style', style);
    if (style === ButtonStyle.Link) {
      const url = text('url', ComponentLimits.url, { required: true });
      if (url !== undefined && !/^(https?|discord):\/\//i.test(url))
        errors.add([...path, 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
      if (c.custom_id !== undefined)
        errors.add(
          [...path, 'custom_id'],
          'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED',
          'Link buttons take no custom_id.',
        );
      set('url', url);
    } else if (style === ButtonStyle.Premium) {
      const sku = typeof c.sku_id === 'string' && /^\d{1,20}$/.test(c.sku_id) ? c.sku_id : undefined;
      if (!sku) errors.add([...path, 'sku_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      for (const key of ['custom_id', 'label', 'url', 'emoji'])
        if (c[key] !== undefined)
          errors.add(
            [...path, key],
            'BUTTON_COMPONENT_PREMIUM_FIELD_NOT_ALLOWED',
            'Premium buttons take a sku_id only.',
          );
      set('sku_id', sku);
    } else {
      set('custom_id', customId(true));
      if (c.url !== undefined)
        errors.add([...path, 'url'], 'BUTTON_COMPONENT_URL_NOT_ALLOWED', 'Only link buttons take a url.');
    }
    if (style !== ButtonStyle.Premium) {
      set('label', text('label', ComponentLimits.label));
      set('emoji', emoji(c.emoji, [...path, 'emoji'], errors));
      if (out.label === undefined && out.emoji === undefined)
        errors.add(
          [...path, 'label'],
          'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED',
          'A button needs a label or an emoji.',
        );
    }
    set('disabled', bool('disabled'));
    return out;
  }

  if (type === ComponentType.TextInput) {
    set('custom_id', customId(true));
    const style = int('style', 1, 2);
    if (style === undefined) errors.add([...path, 'style'], 'BASE_TYPE_REQUIRED', 'This field is required');
    set('style', style);
    set('label', text('label', ComponentLimits.textInputLabel, { required: true, min: 1 }));
    const min = int('min_length', 0, ComponentLimits.textInputLength);
    const max = int('max_length', 1, ComponentLimits.textInputLength);
    if (min !== undefined && max !== undefined && min > max)
      errors.add([...path, 'min_length'], 'BASE_TYPE_BAD_LENGTH', 'min_length must not exceed max_length.');
    set('min_length', min);
    set('max_length', max);
    set('required', bool('required'));
    set('value', text('value', ComponentLimits.textInputLength));
    set('placeholder', text('placeholder', ComponentLimits.textInputPlaceholder));
    return out;
  }

  // A select menu.
  set('custom_id', customId(true));
  set('placeholder', text('placeholder', ComponentLimits.placeholder));
  const min = int('min_values', 0, ComponentLimits.selectOptions);
  const max = int('max_values', 1, ComponentLimits.selectOptions);
  if (min !== undefined && max !== undefined && min > max)
    errors.add([...path, 'min_values'], 'BASE_TYPE_BAD_LENGTH', 'min_values must not exceed max_values.');
  set('min_values', min);
  set('max_values', max);
  set('disabled', bool('disabled'));
  if (type === ComponentType.StringSelect) {
    const options = Array.isArray(c.options) ? c.options : [];
    if (!options.length || options.length > ComponentLimits.selectOptions)
      errors.add(
        [...path, 'options'],
        options.length ? 'BASE_TYPE_MAX_LENGTH' : 'BASE_TYPE_MIN_LENGTH',
        `Must be between 1 and ${ComponentLimits.selectOptions} in length.`,
      );
    if (max !== undefined && max > options.length)
      errors.add(
        [...path, 'max_values'],
        'NUMBER_TYPE_MAX',
        'max_values must not exceed the number of options.',
      );
    const values = new Set<string>();
    out.options = options.slice(0, ComponentLimits.selectOptions).map((o, k) => {
      const at = [...path, 'options', k];
      if (!isObject(o)) {
        errors.add(at, 'MODEL_TYPE_CONVERT', 'Must be an object.');
        return {};
      }
      const field = (key: string, required: boolean) => {
        const v = o[key];
        if (v === undefined || v === null) {
          if (required) errors.add([...at, key], 'BASE_TYPE_REQUIRED', 'This field is required');
          return undefined;
        }
        if (typeof v !== 'string' || v.length > ComponentLimits.optionText || (required && !v.length)) {
          errors.add(
            [...at, key],
            'BASE_TYPE_BAD_LENGTH',
            `Must be between 1 and ${ComponentLimits.optionText} in length.`,
          );
          return undefined;
        }
        return v;
      };
      const value = field('value', true);
      if (value !== undefined) {
        if (values.has(value))
          errors.add(
            [...at, 'value'],
            'SELECT_COMPONENT_OPTION_VALUE_DUPLICATED',
            'Option values must be unique.',
          );
        values.add(value);
      }
      const option: Json = { label: field('label', true), value };
      const description = field('description', false);
      if (description !== undefined) option.description = description;
      const e = emoji(o.emoji, [...at, 'emoji'], errors);
      if (e) option.emoji = e;
      if (typeof o.default === 'boolean') option.default = o.default;
      return option;
    });
    return out;
  }
  if (type === ComponentType.ChannelSelect && Array.isArray(c.channel_types))
    out.channel_types = c.channel_types.filter((t) => Number.isInteger(t)).slice(0, 20);
  if (Array.isArray(c.default_values)) {
    if (c.default_values.length > ComponentLimits.selectOptions)
      errors.add([...path, 'default_values'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    out.default_values = c.default_values.slice(0, ComponentLimits.selectOptions).flatMap((d, k) => {
      if (
        isObject(d) &&
        typeof d.id === 'string' &&
        /^\d{1,20}$/.test(d.id) &&
        (d.type === 'user' || d.type === 'role' || d.type === 'channel')
      )
        return [{ id: d.id, type: d.type }];
      errors.add([...path, 'default_values', k], 'MODEL_TYPE_CONVERT', 'A default value is {id, type}.');
      return [];
    });
  }
  return out;
}

/** A button's or option's emoji: a custom one by id, or a Unicode one by name. */
function emoji(v: unknown, path: Path, errors: FieldErrors): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Must be an object.');
    return undefined;
  }
  const out: Json = {};
  if (typeof v.id === 'string' && /^\d{1,20}$/.test(v.id)) out.id = v.id;
  if (typeof v.name === 'string' && v.name.length <= 32) out.name = v.name;
  if (typeof v.animated === 'boolean') out.animated = v.animated;
  if (out.id === undefined && out.name === undefined)
    errors.add(path, 'BUTTON_COMPONENT_INVALID_EMOJI', 'Invalid emoji');
  return out;
}
