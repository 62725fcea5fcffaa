import type { RestApp } from '../../restlib/index.js';
import type { PageKit } from './kit.js';
import type { WaitAnswer } from './messages.js';
import { adminPage } from './pages.js';
import { ResetForm } from './kit.js';

/** The librarian's page: how many books are lent, and a reset that returns every loan. */
export function adminPages(scope: RestApp, kit: PageKit): void {
  const { send, page, context, call, redirect, setFlash, librarian, loansByUser } = kit;
  scope.get(
    '/library/admin',
    { schema: { hide: true } },
    page(async (req, reply) => {
      if (!(await librarian(req, reply))) return reply;
      const lent = [...(await loansByUser()).values()].reduce((n, books) => n + books.length, 0);
      return send(reply, 200, adminPage(context(req, reply), lent));
    }),
  );

  scope.post(
    '/library/admin/reset',
    { config: { access: 'session' }, schema: { hide: true } },
    page(async (req, reply) => {
      if (!(await librarian(req, reply))) return reply;
      const formKey = ResetForm.catch({}).parse(req.body ?? {}).formKey;
      let returned = 0;
      let failed = 0;
      for (const [user, books] of await loansByUser()) {
        const res = await call<WaitAnswer['body']>(
          'POST',
          '/lending/returns?wait=true',
          { user, books },
          formKey && `library-reset-${formKey}-${user}`,
        );
        const outcome = res.body?.outcome;
        if (res.status === 200 && outcome?.type === 'books-returned') returned += outcome.data.books.length;
        else failed += books.length;
      }
      setFlash(
        reply,
        failed
          ? { kind: 'error', text: `Returned ${returned} loans; ${failed} could not be returned yet. Try again.` }
          : { kind: 'success', text: `Every loan was returned (${returned}).` },
      );
      return redirect(reply, '/library/admin');
    }),
  );
}
