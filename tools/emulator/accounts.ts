/**
 * Which account of the emulator a request is in, told the way moto 5.2.5 tells it (moto/core/responses.py,
 * `get_current_account`): the `x-moto-account-id` header when the request carries one; else the account that owns
 * the access key the request is signed with — a key of an IAM user, or temporary credentials from `sts:AssumeRole`
 * into a role of another account; else moto's default account, 123456789012 (the fake `testing` key, and any key
 * moto never issued). moto would put everything in `MOTO_ACCOUNT_ID` when that is set in its environment; the
 * emulator never sets it.
 *
 * The key's owner is asked of moto itself (STS `GetCallerIdentity` signed with that key id: moto reads the key from
 * the Authorization header and does not check signatures), once per key.
 */
import type { RequestContext } from './aws-proxy.js';
import { request } from './http.js';
import { accessKeyIdOf } from './route53-throttle.js';
import { textOf } from './xml.js';

/** moto's default account: requests signed with a key moto did not issue are in it. */
export const DEFAULT_ACCOUNT = '123456789012';

const ACCOUNT_HEADER = 'x-moto-account-id';

/** Resolves requests to moto's accounts, remembering each access key's account until {@link forget}. */
export class MotoAccounts {
  readonly #byKey = new Map<string, Promise<string>>();

  constructor(private readonly motoUrl: string) {}

  /** The account a request is in. */
  readonly accountOf = (ctx: RequestContext): Promise<string> => {
    const named = ctx.headers[ACCOUNT_HEADER];
    if (named !== undefined && named !== '') return Promise.resolve(named);
    const key = accessKeyIdOf(ctx.headers);
    return key === undefined ? Promise.resolve(DEFAULT_ACCOUNT) : this.accountOfKey(key);
  };

  /** The account that owns an access key. */
  accountOfKey(accessKeyId: string): Promise<string> {
    let account = this.#byKey.get(accessKeyId);
    if (account === undefined) {
      account = this.#ask(accessKeyId);
      this.#byKey.set(accessKeyId, account);
      // A failed lookup is not remembered: the next request asks again.
      account.catch(() => this.#byKey.delete(accessKeyId));
    }
    return account;
  }

  /** Forgets every key's account (moto's reset drops the keys it issued). */
  forget(): void {
    this.#byKey.clear();
  }

  async #ask(accessKeyId: string): Promise<string> {
    const res = await request(`${this.motoUrl}/`, {
      method: 'POST',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const account = textOf(res.body.toString(), 'Account');
    if (res.status !== 200 || account === undefined || !/^\d{12}$/.test(account)) {
      throw new Error(`moto's GetCallerIdentity for ${accessKeyId} answered ${res.status}: ${res.body.toString()}`);
    }
    return account;
  }
}
