using Gazouille.Data;
using Gazouille.Features.Timelines;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Statuses;

/// <summary>Prepares the compose box: the audiences the author may choose, its default, the post it answers.</summary>
public sealed class ComposeBox(AudienceChoices audiences, GazouilleDb db, IOptions<GazouilleSettings> settings, ViewerPageCache cache)
{
    private sealed record Choices(List<AudienceChoice> List, string? Preferred);

    public async Task<ComposeView> NewAsync(Viewer author, string text = "", string? audience = null, string? error = null,
        StatusEntity? inReplyTo = null, CancellationToken ct = default)
    {
        // The audiences and their reader counts are on every timeline page: kept (ViewerPageCache) until the author's
        // account changes (followers, preferences) or anything wholesale does (teams, members, grants, accounts).
        if (!cache.TryGet(author, "", "compose", out Choices cached))
        {
            var since = cache.Start();
            var list = await audiences.ForAsync(author, ct);
            var defaultAudience = await db.Users.Where(a => a.Id == author.AccountId).Select(a => a.DefaultAudience).FirstOrDefaultAsync(ct);
            cached = new Choices(list, defaultAudience);
            cache.Store(author, "", "compose", since, [new ChangeKey(ChangeKind.Account, author.AccountId)], cached);
        }
        var choices = cached.List;
        var selected = audience;
        if (selected is null || choices.All(c => c.Audience != selected))
        {
            var preferred = cached.Preferred;
            // The preference may name a wider audience than the author may use now (a lost grant): fall back to the first real choice.
            selected = choices.Any(c => c.Audience == preferred) ? preferred!
                : choices.FirstOrDefault(c => c.Audience == "company")?.Audience ?? choices.LastOrDefault(c => c.Audience != "direct")?.Audience ?? "direct";
        }
        return new ComposeView(choices, selected, text, error, inReplyTo, settings.Value.Posts.MaxLength);
    }
}
