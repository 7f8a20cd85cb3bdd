// One server and one browser for the whole run: starting them is the slow part. Tests stay independent through their
// own people and teams (LiveServer.Unique) and their own browser context (cookies, storage, viewport, colour scheme).
[assembly: AssemblyFixture(typeof(Gazouille.BrowserTests.LiveServer))]
[assembly: AssemblyFixture(typeof(Gazouille.BrowserTests.Chromium))]
