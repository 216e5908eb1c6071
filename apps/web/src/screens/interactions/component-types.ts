/** A message component as the app reads it: an action row, a button, a select or a modal's text input. */
export interface Component {
  type: number;
  custom_id?: string;
  style?: number;
  label?: string;
  emoji?: { id?: string | null; name?: string | null } | null;
  url?: string;
  disabled?: boolean;
  placeholder?: string;
  min_values?: number;
  max_values?: number;
  options?: Array<{ label: string; value: string; description?: string; default?: boolean }>;
  channel_types?: number[];
  components?: Component[];
  /** Text inputs. */
  min_length?: number;
  max_length?: number;
  required?: boolean;
  value?: string;
}
