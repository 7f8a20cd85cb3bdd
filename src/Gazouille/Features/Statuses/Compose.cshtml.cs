using Gazouille.Api;
using Gazouille.Features.LeakGuard;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Statuses;

/// <summary>Publishing from the web: the same <see cref="StatusPublisher"/> as the API; on error the text stays.</summary>
public sealed class ComposeModel(ComposeBox compose, StatusPublisher publisher, StatusFinder finder, StatusRenderer renderer, LeakChecker checker, TeamNames teams, IStringLocalizer<WebText> t) : WebPageModel
{
    public ComposeView Compose { get; private set; } = null!;
    public StatusEntity? Posted { get; private set; }

    public async Task OnGetAsync([FromQuery(Name = "in_reply_to_id")] string? inReplyToId, CancellationToken ct)
    {
        var parent = inReplyToId is null ? null : await finder.FindVisibleAsync(Viewer, inReplyToId, ct);
        Compose = await compose.NewAsync(Viewer, inReplyTo: parent is null ? null : await renderer.RenderAsync(Viewer, parent, ct), ct: ct);
    }

    /// <summary>Tips as you type: what the Leak Guard would decide for this text and audience; nothing is saved.</summary>
    public async Task<IActionResult> OnPostCheckAsync([FromForm(Name = "status")] string? text, [FromForm(Name = "audience")] string? audience,
        [FromForm(Name = "in_reply_to_id")] string? inReplyToId, CancellationToken ct)
    {
        var tips = await TipsAsync(text ?? "", audience, inReplyToId, ct);
        return tips is null ? Content("", "text/html") : Partial("/Features/Statuses/_LeakTips.cshtml", tips);
    }

    private async Task<LeakTipsView?> TipsAsync(string text, string? audience, string? inReplyToId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > LeakGuardApi.MaxCheckLength) return null;
        if (!string.IsNullOrEmpty(inReplyToId))
            audience = await finder.FindVisibleAsync(Viewer, inReplyToId, ct) is { } parent ? (await renderer.RenderAsync(Viewer, parent, ct)).Audience : null;
        if (audience is { Length: > 300 }) return null;
        try
        {
            var check = await checker.CheckAsync(Viewer, text, audience, ct);
            var label = check.SuggestedAudience is { } suggested ? await teams.BadgeAsync(suggested, t) : null;
            return new LeakTipsView(text, check, label);
        }
        catch (ApiException)
        {
            return null; // an audience that does not parse: the post itself will say why
        }
    }

    public async Task<IActionResult> OnPostAsync([FromForm(Name = "status")] string? text, [FromForm(Name = "audience")] string? audience,
        [FromForm(Name = "in_reply_to_id")] string? inReplyToId, [FromForm(Name = "spoiler_text")] string? spoilerText,
        [FromForm(Name = "leak_guard_override")] string? justification, CancellationToken ct)
    {
        var askJustification = false;
        LeakTipsView? tips = null;
        text ??= "";
        StatusEntity? parent = null;
        if (!string.IsNullOrEmpty(inReplyToId) && await finder.FindVisibleAsync(Viewer, inReplyToId, ct) is { } p)
            parent = await renderer.RenderAsync(Viewer, p, ct);

        string? error = null;
        if (string.IsNullOrWhiteSpace(text)) error = t["Write something before posting."];
        else if (!string.IsNullOrEmpty(inReplyToId) && parent is null) error = t["The post you are answering is no longer available."];
        if (error is null)
        {
            try
            {
                var status = await publisher.CreateAsync(Viewer, new NewStatus(text, spoilerText, false, null, parent is null ? null : long.Parse(parent.Id, System.Globalization.CultureInfo.InvariantCulture), parent is null ? audience : null, null, null)
                {
                    LeakGuardOverride = string.IsNullOrWhiteSpace(justification) ? null : justification,
                }, ct);
                var loaded = await renderer.LoadAsync([status.Id], ct);
                Posted = await renderer.RenderAsync(Viewer, loaded[0], ct);
            }
            catch (ApiException e)
            {
                error = Explain(e);
                if (e.Extra?.ContainsKey("leak_guard") == true)
                {
                    // The guard stopped it: show what it found in place, and for a warning, let the author justify and publish.
                    tips = await TipsAsync(text, audience, inReplyToId, ct);
                    askJustification = tips?.Check.Decision == "warn";
                }
            }
        }

        if (error is not null)
        {
            // The text the author typed is kept, with the error next to it; nothing was saved.
            Compose = await compose.NewAsync(Viewer, text, audience, error, parent, ct) with { Tips = tips, AskJustification = askJustification, Justification = justification ?? "" };
            if (IsHtmx)
            {
                var fragment = Partial("/Features/Statuses/_Compose.cshtml", Compose);
                fragment.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return fragment;
            }
            Response.StatusCode = 422;
            return Page();
        }

        // A held post is visible to its author on its own page only, marked as waiting for review.
        if (Posted!.LeakGuard is { State: "held" } && !IsHtmx) return LocalRedirect($"/@{Posted.Account.Username}/{Posted.Id}");
        if (!IsHtmx) return parent is null ? BackOr("/") : LocalRedirect($"/@{parent.Account.Username}/{parent.Id}");
        Compose = await compose.NewAsync(Viewer, "", audience, null, parent, ct);
        return Partial("/Features/Statuses/_Posted.cshtml", this);
    }
}
