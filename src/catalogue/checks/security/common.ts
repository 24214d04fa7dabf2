import { isAccessDenied } from '../../../base/aws/errors.js';
import type { Check, CheckResult, CheckSpec } from '../../../base/model/check.js';
import { couldNotCheck, defineCheck, noParams } from '../../../base/model/check.js';

/** The IAM action an AWS call needed and the role was not allowed to make. */
export class MissingPermission extends Error {
  override name = 'MissingPermission';
  constructor(
    readonly action: string,
    override readonly cause: unknown,
  ) {
    super(`missing permission ${action}`);
  }
}

/**
 * Sends one AWS call, naming its IAM action: AccessDenied/UnauthorizedOperation becomes a
 * MissingPermission for that action, which `guarded` turns into a `could not check` finding.
 */
export async function call<T>(action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof MissingPermission) throw error;
    if (
      isAccessDenied(error) &&
      !/ExpiredToken|UnrecognizedClient|InvalidClientTokenId/i.test((error as Error).name)
    )
      throw new MissingPermission(deniedAction((error as Error).message) ?? action, error);
    throw error;
  }
}

/** AWS names the denied action in its message ("... is not authorized to perform: iam:GetRole on ..."): it wins over the caller's guess. */
export function deniedAction(message: string): string | null {
  const match = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9]+)\b/i.exec(message);
  return match ? match[1]! : null;
}

/** Every page of a paged API: `page(token)` returns the items and the next token (undefined at the end). */
export async function allPages<T>(
  page: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>,
  maxPages = 1000,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const { items, next } = await page(token);
    out.push(...(items ?? []));
    if (!next || next === token) break;
    token = next;
  }
  return out;
}

/** The `error` finding of a check the role may not run: it names the permission, never a pass. */
export function missingPermissionResult(id: string, resource: string, error: MissingPermission): CheckResult {
  return {
    id,
    ...couldNotCheck(
      resource,
      `missing permission ${error.action}`,
      `Grant ${error.action} to the role fsops runs as (docs/security.md lists every permission), then run again.`,
      `permission to call ${error.action}`,
    ),
  };
}

/**
 * A check (of no parameters, like every security check) whose MissingPermission errors become
 * `could not check` findings; other errors reach the runner.
 */
export function guarded(check: Omit<CheckSpec<typeof noParams>, 'params'>): Check {
  return defineCheck({
    ...check,
    params: noParams,
    async run(ctx, params) {
      try {
        return await check.run(ctx, params);
      } catch (error) {
        if (error instanceof MissingPermission)
          return [missingPermissionResult(check.id, `${check.id} (${ctx.env.name})`, error)];
        throw error;
      }
    },
  });
}
