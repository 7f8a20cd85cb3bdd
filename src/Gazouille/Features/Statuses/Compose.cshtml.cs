using Gazouille.Api;
using Gazouille.Features.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Gazouille.Features.Statuses;

/// <summary>Publishing from the web: the same <see cref="StatusPublisher"/> as the API; on error the text stays.</summary>
public sealed class ComposeModel(ComposeBox compose, StatusPublisher publisher, StatusFinder finder, StatusRenderer renderer, IStringLocalizer<WebText> t) : WebPageModel
{
    public ComposeView Compose { get; private set; } = null!;
    public StatusEntity? Posted { get; private set; }

    public async Task OnGetAsync([FromQuery(Name = "in_reply_to_id")] string? inReplyToId, CancellationToken ct)
    {
        var parent = inReplyToId is null ? null : await finder.FindVisibleAsync(Viewer, inReplyToId, ct);
        Compose = await compose.NewAsync(Viewer, inReplyTo: parent is null ? null : await renderer.RenderAsync(Viewer, parent, ct), ct: ct);
    }

    public async Task<IActionResult> OnPostAsync([FromForm(Name = "status")] string? text, [FromForm(Name = "audience")] string? audience,
        [FromForm(Name = "in_reply_to_id")] string? inReplyToId, [FromForm(Name = "spoiler_text")] string? spoilerText, CancellationToken ct)
    {
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
                var status = await publisher.CreateAsync(Viewer, new NewStatus(text, spoilerText, false, null, parent is null ? null : long.Parse(parent.Id, System.Globalization.CultureInfo.InvariantCulture), parent is null ? audience : null, null, null), ct);
                var loaded = await renderer.LoadAsync([status.Id], ct);
                Posted = await renderer.RenderAsync(Viewer, loaded[0], ct);
            }
            catch (ApiException e)
            {
                error = e.Message.StartsWith("Validation failed: ", StringComparison.Ordinal) ? e.Message["Validation failed: ".Length..] : e.Message;
            }
        }

        if (error is not null)
        {
            // The text the author typed is kept, with the error next to it; nothing was saved.
            Compose = await compose.NewAsync(Viewer, text, audience, error, parent, ct);
            if (IsHtmx)
            {
                var fragment = Partial("/Features/Statuses/_Compose.cshtml", Compose);
                fragment.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return fragment;
            }
            Response.StatusCode = 422;
            return Page();
        }

        if (!IsHtmx) return parent is null ? BackOr("/") : LocalRedirect($"/@{parent.Account.Username}/{parent.Id}");
        Compose = await compose.NewAsync(Viewer, "", audience, null, parent, ct);
        return Partial("/Features/Statuses/_Posted.cshtml", this);
    }
}
