/**
 * Request parameter checks that produce AWS's own validation messages:
 * `1 validation error detected: Value '12a' at 'tokenCode' failed to satisfy constraint: ...`.
 * Member names are the parameter names with a lower-case first letter, as in the service model.
 */
import { validationError } from './faults.js';

export interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  /** The regular expression and the service model's spelling of it, which the message quotes. */
  pattern?: [RegExp, string];
}

export interface IntegerRule {
  min?: number;
  max?: number;
}

export const PATTERNS = {
  // The service model writes `[\w+=,.@-]*`; the anchored copy is what we test with.
  sessionName: [/^[\w+=,.@-]*$/, '[\\w+=,.@-]*'],
  externalId: [/^[\w+=,.@:/-]*$/, '[\\w+=,.@:\\/-]*'],
  serialNumber: [/^[\w+=/:,.@-]*$/, '[\\w+=/:,.@-]*'],
  tokenCode: [/^\d*$/, '[\\d]*'],
  userName: [/^[\w+=,.@-]+$/, '[\\w+=,.@-]+'],
} satisfies Record<string, [RegExp, string]>;

export class ParameterReader {
  private readonly violations: string[] = [];

  constructor(private readonly params: URLSearchParams) {}

  string(param: string, rule: StringRule): string | undefined {
    const value = this.params.get(param) ?? undefined;
    const member = memberName(param);
    if (value === undefined) {
      if (rule.required) this.violations.push(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    // One violation per member; the pattern wins over the length, as AWS reports for a TokenCode of '12a'.
    const failed =
      rule.pattern && !rule.pattern[0].test(value)
        ? `Member must satisfy regular expression pattern: ${rule.pattern[1]}`
        : rule.min !== undefined && value.length < rule.min
          ? `Member must have length greater than or equal to ${rule.min}`
          : rule.max !== undefined && value.length > rule.max
            ? `Member must have length less than or equal to ${rule.max}`
            : undefined;
    if (failed) this.violations.push(`Value '${value}' at '${member}' failed to satisfy constraint: ${failed}`);
    return value;
  }

  integer(param: string, rule: IntegerRule): number | undefined {
    const raw = this.params.get(param) ?? undefined;
    if (raw === undefined) return undefined;
    const member = memberName(param);
    if (!/^-?\d+$/.test(raw)) {
      this.violations.push(`Value '${raw}' at '${member}' failed to satisfy constraint: Member must be a number`);
      return undefined;
    }
    const value = Number(raw);
    if (rule.min !== undefined && value < rule.min) {
      this.violations.push(`Value '${raw}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${rule.min}`);
    } else if (rule.max !== undefined && value > rule.max) {
      this.violations.push(`Value '${raw}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${rule.max}`);
    }
    return value;
  }

  /** Throws one ValidationError listing every violation found so far. */
  done(): void {
    const count = this.violations.length;
    if (count === 0) return;
    throw validationError(`${count} validation error${count > 1 ? 's' : ''} detected: ${this.violations.join('; ')}`);
  }
}

function memberName(param: string): string {
  return param.charAt(0).toLowerCase() + param.slice(1);
}
