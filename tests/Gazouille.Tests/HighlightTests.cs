using Gazouille.Features.Web;

namespace Gazouille.Tests;

public sealed class HighlightTests
{
    [Fact]
    public void Marks_the_spans_and_encodes_everything_else()
    {
        var html = Highlight.Render("<b>Atlas</b> & co", [new MarkedSpan(3, 8, "client", "Nom d'un \"client\"")]);
        Assert.Equal("&lt;b&gt;<mark class=\"finding finding-client\" title=\"Nom d&#x27;un &quot;client&quot;\">Atlas</mark>&lt;/b&gt; &amp; co", html);
    }

    [Fact]
    public void Overlapping_and_out_of_range_spans_never_break_the_text()
    {
        var text = "Projet Atlas : 20 personnes";
        var html = Highlight.Render(text, [new(0, 12, "project", "a"), new(7, 12, "client", "b"), new(15, 27, "headcount", "c"), new(20, 99, "x", "d"), new(-1, 2, "y", "e")]);
        Assert.Equal(2, html.Split("<mark").Length - 1);
        Assert.Equal(text, System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", ""));
    }
}
