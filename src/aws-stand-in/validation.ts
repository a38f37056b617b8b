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
  tagKey: [/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+'],
  tagValue: [/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*'],
  // arnType and sessionPolicyDocumentType of the service model.
  arn: [/^[\t\n\r\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u, '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+'],
  policy: [/^[\t\n\r\u0020-\u00FF]+$/, '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+'],
} satisfies Record<string, [RegExp, string]>;

export class ParameterReader {
  private readonly violations: string[] = [];

  constructor(private readonly params: URLSearchParams) {}

  string(param: string, rule: StringRule, member = memberName(param)): string | undefined {
    const value = this.params.get(param) ?? undefined;
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

  /**
   * A list in the Query protocol (`Tags.member.1.Key`, `TransitiveTagKeys.member.1`): the indices
   * given, 1 up to the first gap, as the service reads them; `max` is the list's own limit.
   */
  list<T>(param: string, max: number | undefined, item: (prefix: string, member: string) => T): T[] | undefined {
    const indices: number[] = [];
    for (let i = 1; [...this.params.keys()].some((k) => k === `${param}.member.${i}` || k.startsWith(`${param}.member.${i}.`)); i++) indices.push(i);
    if (indices.length === 0) return this.params.has(param) ? [] : undefined;
    const list = memberName(param);
    if (max !== undefined && indices.length > max) {
      this.violations.push(`Value at '${list}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
    }
    return indices.map((i) => item(`${param}.member.${i}`, `${list}.${i}.member`));
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
