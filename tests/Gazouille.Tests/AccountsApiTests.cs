using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gazouille.Tests;

public sealed class AccountsApiTests : IAsyncLifetime
{
    // The smallest valid PNG: one transparent pixel.
    internal static readonly byte[] TinyPng = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    private GazouilleFactory _f = null!;
    private HttpClient _alice = null!;
    private HttpClient _bob = null!;
    private long _aliceId;
    private long _bobId;

    public async ValueTask InitializeAsync()
    {
        _f = await GazouilleFactory.StartAsync();
        (_aliceId, _alice) = await _f.SignedInAsync("alice");
        (_bobId, _bob) = await _f.SignedInAsync("bob");
    }

    public async ValueTask DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Verify_credentials_describes_the_token_owner()
    {
        var me = await _alice.GetOkAsync("/api/v1/accounts/verify_credentials");
        Assert.Equal("alice", me.Str("username"));
        Assert.Equal(JsonValueKindObject, me.GetProperty("source").ValueKind);
        await (await _f.Client().GetAsync("/api/v1/accounts/verify_credentials")).ErrorAsync(HttpStatusCode.Unauthorized);
        await (await _f.Client("nope").GetAsync("/api/v1/accounts/verify_credentials")).ErrorAsync(HttpStatusCode.Unauthorized);
        var writeOnly = _f.Client(await _f.TokenAsync(_aliceId, "write"));
        await (await writeOnly.GetAsync("/api/v1/accounts/verify_credentials")).ErrorAsync(HttpStatusCode.Forbidden);
    }

    private async Task<(int Followers, int Following, int Statuses)> CountsAsync(long id)
    {
        var a = await _bob.GetOkAsync($"/api/v1/accounts/{id}");
        return (a.GetProperty("followers_count").GetInt32(), a.GetProperty("following_count").GetInt32(), a.GetProperty("statuses_count").GetInt32());
    }

    /// <summary>Counts are cached for employees (AccountCounts): every write through the product must show at once.</summary>
    [Fact]
    public async Task Counts_follow_every_write_at_once_even_once_cached()
    {
        Assert.Equal((0, 0, 0), await CountsAsync(_aliceId));
        Assert.Equal((0, 0, 0), await CountsAsync(_aliceId));
        (await _bob.PostAsync($"/api/v1/accounts/{_aliceId}/follow", null)).EnsureSuccessStatusCode();
        Assert.Equal((1, 0, 0), await CountsAsync(_aliceId));
        Assert.Equal((0, 1, 0), await CountsAsync(_bobId));

        var post = await (await _alice.PostAsync("/api/v1/statuses", ApiAssert.Form(("status", "Bonjour à tous"), ("audience", "company")))).OkJsonAsync();
        Assert.Equal((1, 0, 1), await CountsAsync(_aliceId));
        (await _bob.PostAsync($"/api/v1/statuses/{post.Str("id")}/reblog", null)).EnsureSuccessStatusCode();
        Assert.Equal((0, 1, 1), await CountsAsync(_bobId));

        // Deleting the post removes its boosts too: both authors' counts drop.
        (await _alice.DeleteAsync($"/api/v1/statuses/{post.Str("id")}")).EnsureSuccessStatusCode();
        Assert.Equal((1, 0, 0), await CountsAsync(_aliceId));
        Assert.Equal((0, 1, 0), await CountsAsync(_bobId));

        (await _bob.PostAsync($"/api/v1/accounts/{_aliceId}/unfollow", null)).EnsureSuccessStatusCode();
        Assert.Equal((0, 0, 0), await CountsAsync(_aliceId));
        Assert.Equal((0, 0, 0), await CountsAsync(_bobId));
    }

    private const System.Text.Json.JsonValueKind JsonValueKindObject = System.Text.Json.JsonValueKind.Object;

    [Fact]
    public async Task Update_credentials_changes_name_and_note_and_escapes_html()
    {
        var updated = await (await _alice.PatchAsync("/api/v1/accounts/update_credentials",
            ApiAssert.Form(("display_name", "Alice <Admin>"), ("note", "I write <script>alert(1)</script> code")))).OkJsonAsync();
        Assert.Equal("Alice <Admin>", updated.Str("display_name"));
        Assert.DoesNotContain("<script>", updated.Str("note"), StringComparison.Ordinal);
        Assert.Equal("Alice <Admin>", (await _bob.GetOkAsync($"/api/v1/accounts/{_aliceId}")).Str("display_name"));
        await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("display_name", new string('n', 500))))).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("note", new string('n', 100_000))))).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("source[privacy]", "galaxy")))).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        // Longer than the column: SQLite would keep it, PostgreSQL would refuse it with a 500.
        var manyOrgs = "partners:atlas:" + string.Join(',', Enumerable.Range(1, 9).Select(i => $"org{i}-" + new string('x', 40)));
        await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("source[audience]", manyOrgs)))).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Alice <Admin>", (await _alice.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("display_name"));
        var readOnly = _f.Client(await _f.TokenAsync(_aliceId, "read"));
        await (await readOnly.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("display_name", "x")))).ErrorAsync(HttpStatusCode.Forbidden);
        await (await _f.Client().PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("display_name", "x")))).ErrorAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("Alice\u202E nimdA")]      // right-to-left override: would turn the rest of the line around
    [InlineData("\u2067Alice\u2069")]      // right-to-left isolate
    [InlineData("\u202BAlice")]             // right-to-left embedding
    [InlineData("\u200B\u200D\u2060")]    // zero-width characters alone: nothing to read
    [InlineData(" \u00A0\u200B ")]
    public async Task Display_names_that_turn_text_around_or_show_nothing_are_refused(string name)
    {
        var error = await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("display_name", name)))).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("display name", error, StringComparison.Ordinal);
        Assert.NotEqual(name, (await _alice.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("display_name"));
    }

    [Theory]
    [InlineData("سارة المنصوري")]          // Arabic, right to left
    [InlineData("יעל כהן")]                // Hebrew
    [InlineData("Ama\u200Fl")]            // a right-to-left mark is a mark, not an override
    [InlineData("👩‍💻 Alice")]             // an emoji sequence joined by U+200D
    public async Task Right_to_left_names_and_joined_emoji_are_kept_as_typed(string name)
    {
        var updated = await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", ApiAssert.Form(("display_name", name)))).OkJsonAsync();
        Assert.Equal(name, updated.Str("display_name"));
    }

    private static MultipartFormDataContent Avatar(byte[] bytes, string type, string name)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        return new MultipartFormDataContent { { file, "avatar", name } };
    }

    [Fact]
    public async Task A_real_png_avatar_is_accepted_and_served()
    {
        var me = await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", Avatar(TinyPng, "image/png", "me.png"))).OkJsonAsync();
        var url = new Uri(me.Str("avatar"));
        Assert.DoesNotContain("missing", url.AbsolutePath, StringComparison.Ordinal);
        var served = await _f.Client().GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(TinyPng, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("immutable", served.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replaced_avatar_is_gone_and_a_refused_edit_stores_no_picture()
    {
        var first = new Uri((await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", Avatar(TinyPng, "image/png", "one.png"))).OkJsonAsync()).Str("avatar"));
        var second = new Uri((await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", Avatar(TinyPng, "image/png", "two.png"))).OkJsonAsync()).Str("avatar"));
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.NotFound, (await _f.Client().GetAsync(first.PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _f.Client().GetAsync(second.PathAndQuery)).StatusCode);

        // A display name that is refused takes the picture sent with it down too: nothing is half-saved.
        var stored = await _f.WithScopeAsync(sp => sp.GetRequiredService<Gazouille.Data.GazouilleDb>().MediaFiles.CountAsync());
        var refused = Avatar(TinyPng, "image/png", "three.png");
        refused.Add(new StringContent("Ev\u202Eil"), "display_name");
        await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", refused)).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(stored, await _f.WithScopeAsync(sp => sp.GetRequiredService<Gazouille.Data.GazouilleDb>().MediaFiles.CountAsync()));
        Assert.Equal(second.ToString(), (await _alice.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("avatar"));
    }

    [Theory]
    [InlineData("/media/avatars/..%2F..%2Fgazouille.db")]
    [InlineData("/media/avatars/%2E%2E")]
    [InlineData("/media/avatars/nothing-here.png")]
    [InlineData("/media/gazouille.db")]
    public async Task Media_paths_outside_the_stored_pictures_are_not_found(string path)
    {
        var response = await _f.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_text_file_or_an_oversize_file_is_refused_as_avatar()
    {
        await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", Avatar("hello, I am text"u8.ToArray(), "image/png", "fake.png"))).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _alice.PatchAsync("/api/v1/accounts/update_credentials", Avatar([], "image/png", "empty.png"))).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        var big = new byte[900 * 1024];
        TinyPng.CopyTo(big, 0);
        await using var huge = await GazouilleFactory.StartAsync(new() { ["Gazouille:Media:AvatarMaxBytes"] = "102400" });
        var (_, carol) = await huge.SignedInAsync("carol");
        await (await carol.PatchAsync("/api/v1/accounts/update_credentials", Avatar(big, "image/png", "big.png"))).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        var tooBig = new byte[(1024 * 1024) + 10];
        TinyPng.CopyTo(tooBig, 0);
        var status = (int)(await _alice.PatchAsync("/api/v1/accounts/update_credentials", Avatar(tooBig, "image/png", "huge.png"))).StatusCode;
        Assert.True(status is 413 or 422, $"got {status}");
        Assert.Contains("missing", (await _alice.GetOkAsync("/api/v1/accounts/verify_credentials")).Str("avatar"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_unfollow_and_relationships()
    {
        var rel = await _alice.PostOkAsync($"/api/v1/accounts/{_bobId}/follow");
        Assert.True(rel.GetProperty("following").GetBoolean());
        var rels = await _alice.GetOkAsync($"/api/v1/accounts/relationships?id[]={_bobId}");
        Assert.True(rels[0].GetProperty("following").GetBoolean());
        Assert.True((await _bob.GetOkAsync($"/api/v1/accounts/relationships?id={_aliceId}"))[0].GetProperty("followed_by").GetBoolean());
        Assert.Equal(["alice"], (await _bob.GetOkAsync($"/api/v1/accounts/{_bobId}/followers")).EnumerateArray().Select(a => a.Str("username")));
        Assert.Equal(["bob"], (await _bob.GetOkAsync($"/api/v1/accounts/{_aliceId}/following")).EnumerateArray().Select(a => a.Str("username")));
        var bobPost = (await _bob.PostStatusAsync("for followers", "followers")).Id();
        Assert.Contains(bobPost, (await _alice.GetOkAsync("/api/v1/timelines/home")).Ids());

        Assert.False((await _alice.PostOkAsync($"/api/v1/accounts/{_bobId}/unfollow")).GetProperty("following").GetBoolean());
        await (await _alice.GetAsync($"/api/v1/statuses/{bobPost}")).NotFoundAsync();
        Assert.Empty((await _bob.GetOkAsync($"/api/v1/accounts/{_bobId}/followers")).Ids());
        await (await _alice.PostAsync($"/api/v1/accounts/{_aliceId}/follow", null)).ErrorAsync(HttpStatusCode.UnprocessableEntity);
        await (await _alice.PostAsync("/api/v1/accounts/424242424242/follow", null)).NotFoundAsync();
        await (await _f.Client().PostAsync($"/api/v1/accounts/{_bobId}/follow", null)).ErrorAsync(HttpStatusCode.Unauthorized);
        var readOnly = _f.Client(await _f.TokenAsync(_aliceId, "read"));
        await (await readOnly.PostAsync($"/api/v1/accounts/{_bobId}/follow", null)).ErrorAsync(HttpStatusCode.Forbidden);
        Assert.Empty((await _alice.GetOkAsync("/api/v1/accounts/relationships?id[]=notanid")).EnumerateArray());
    }

    [Fact]
    public async Task Lookup_search_and_get_find_people()
    {
        Assert.Equal(_bobId.ToString(System.Globalization.CultureInfo.InvariantCulture), (await _alice.GetOkAsync("/api/v1/accounts/lookup?acct=bob")).Id());
        await _alice.GetOkAsync("/api/v1/accounts/lookup?acct=@bob@gazouille.test");
        await (await _alice.GetAsync("/api/v1/accounts/lookup?acct=bob@elsewhere.example")).NotFoundAsync();
        await (await _alice.GetAsync("/api/v1/accounts/lookup?acct=nobody")).NotFoundAsync();
        await (await _alice.GetAsync("/api/v1/accounts/lookup")).NotFoundAsync();
        Assert.Equal(["bob"], (await _alice.GetOkAsync("/api/v1/accounts/search?q=bo")).EnumerateArray().Select(a => a.Str("username")));
        Assert.Empty((await _alice.GetOkAsync("/api/v1/accounts/search?q=")).EnumerateArray());
        Assert.Empty((await _alice.GetOkAsync("/api/v1/accounts/search?q=%27%3B%20DROP%20TABLE%20users%3B--")).EnumerateArray());
        Assert.Empty((await _alice.GetOkAsync("/api/v1/accounts/search?q=%25")).EnumerateArray());
        await (await _f.Client().GetAsync("/api/v1/accounts/search?q=bo")).ErrorAsync(HttpStatusCode.Unauthorized);
        await (await _alice.GetAsync("/api/v1/accounts/999999")).NotFoundAsync();
        await (await _alice.GetAsync("/api/v1/accounts/xyz/statuses")).NotFoundAsync();
        await (await _alice.GetAsync("/api/v1/accounts/999999/followers")).NotFoundAsync();
        Assert.Equal("bob", (await _alice.GetOkAsync($"/api/v1/accounts/{_bobId}")).Str("username"));
    }

    [Fact]
    public async Task Account_statuses_filter_replies_and_boosts()
    {
        var own = (await _bob.PostStatusAsync("own", "company")).Id();
        var alices = (await _alice.PostStatusAsync("alice's", "company")).Id();
        var reply = (await _bob.PostStatusAsync("a reply", inReplyTo: alices)).Id();
        var boost = (await _bob.PostOkAsync($"/api/v1/statuses/{alices}/reblog")).Id();
        var path = $"/api/v1/accounts/{_bobId}/statuses";
        Assert.Equal([boost, reply, own], (await _alice.GetOkAsync(path)).Ids());
        Assert.Equal([boost, own], (await _alice.GetOkAsync(path + "?exclude_replies=true")).Ids());
        Assert.Equal([reply, own], (await _alice.GetOkAsync(path + "?exclude_reblogs=true")).Ids());
        Assert.Empty((await _alice.GetOkAsync(path + "?pinned=true")).EnumerateArray());
    }
}
