import { signIn, signOut } from './actions';

export default function Home() {
  return (
    <main>
      <h1>sealed-session × Next.js</h1>
      <form action={signIn}>
        <label>
          User id <input name="userId" required />
        </label>
        <button type="submit" id="sign-in">Sign in</button>
      </form>
      <form action={signOut}>
        <button type="submit" id="sign-out">Sign out</button>
      </form>
      <p>
        <a href="/me">Who am I?</a> · <a href="/mw">Proxy counter</a>
      </p>
    </main>
  );
}
