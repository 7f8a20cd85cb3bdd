using Gazouille.Data;
using Gazouille.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gazouille.Features.Statuses;

/// <summary>Prepares the compose box: the audiences the author may choose, its default, the post it answers.</summary>
public sealed class ComposeBox(AudienceChoices audiences, GazouilleDb db, IOptions<GazouilleSettings> settings)
{
    public async Task<ComposeView> NewAsync(Viewer author, string text = "", string? audience = null, string? error = null,
        StatusEntity? inReplyTo = null, CancellationToken ct = default)
    {
        var choices = await audiences.ForAsync(author, ct);
        var selected = audience;
        if (selected is null || choices.All(c => c.Audience != selected))
        {
            var preferred = await db.Users.Where(a => a.Id == author.AccountId).Select(a => a.DefaultAudience).FirstOrDefaultAsync(ct);
            // The preference may name a wider audience than the author may use now (a lost grant): fall back to the first real choice.
            selected = choices.Any(c => c.Audience == preferred) ? preferred!
                : choices.FirstOrDefault(c => c.Audience == "company")?.Audience ?? choices.LastOrDefault(c => c.Audience != "direct")?.Audience ?? "direct";
        }
        return new ComposeView(choices, selected, text, error, inReplyTo, settings.Value.Posts.MaxLength);
    }
}
