using System.Globalization;
using System.Text;
using CsvHelper;

namespace Gazouille.Features.LeakGuard;

/// <summary>
/// Dictionary files as admins keep them: plain text (one term a line, "~" before an ambiguous term, "#" for comments)
/// or CSV (a first column of terms, or a header naming term, ambiguous, org and aliases separated by "|"). Input is
/// UTF-8, or UTF-16 with its byte order mark; anything else is refused with the line that is wrong, never guessed.
/// </summary>
public static class PolicyTermFile
{
    public const int MaxErrors = 20;

    public sealed record Result(List<PolicyTerm> Terms, List<string> Errors);

    public static bool IsCsv(string? fileName, string? contentType) =>
        (fileName?.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ?? false) || (contentType?.Contains("csv", StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>Reads terms; <paramref name="progress"/> gets the share of the input read so far (0..1).</summary>
    public static Result Read(byte[] data, bool csv, Action<double> progress, CancellationToken ct)
    {
        string text;
        try
        {
            using var reader = new StreamReader(new MemoryStream(data), new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
        }
        catch (DecoderFallbackException)
        {
            return new([], ["The file is not UTF-8 text. Save it as UTF-8 (in a spreadsheet: “CSV UTF-8”) and import it again."]);
        }
        var terms = new List<PolicyTerm>();
        var errors = new List<string>();
        if (csv) ReadCsv(text, terms, errors, progress, ct);
        else ReadText(text, terms, errors, progress, ct);
        progress(1);
        return new(terms, errors);
    }

    private static void ReadText(string text, List<PolicyTerm> terms, List<string> errors, Action<double> progress, CancellationToken ct)
    {
        var line = 0;
        var at = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            line++;
            at += raw.Length + 1;
            if (line % 1000 == 0)
            {
                ct.ThrowIfCancellationRequested();
                progress((double)at / Math.Max(1, text.Length));
            }
            var s = raw.Trim().ToString();
            if (s.Length == 0 || s[0] == '#') continue;
            var ambiguous = s[0] == '~';
            Add(ambiguous ? s[1..].Trim() : s, ambiguous, null, null, line, terms, errors);
        }
    }

    private static void ReadCsv(string text, List<PolicyTerm> terms, List<string> errors, Action<double> progress, CancellationToken ct)
    {
        using var csv = CsvReader.Create(new StringReader(text), new CsvReaderOptions { HasHeader = false, TrackLineNumbers = true });
        int termCol = 0, ambiguousCol = 1, orgCol = -1, aliasesCol = -1;
        var first = true;
        var records = 0;
        var lines = Math.Max(1, text.Count(c => c == '\n') + 1);
        try
        {
            while (csv.Read())
            {
                records++;
                if (records % 1000 == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    progress(Math.Min(0.99, (double)csv.LineNumber / lines));
                }
                var fields = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i).Trim()).ToArray();
                if (first)
                {
                    first = false;
                    if (fields.Length > 0 && fields[0].Equals("term", StringComparison.OrdinalIgnoreCase))
                    {
                        var names = fields.Select(f => f.ToLowerInvariant()).ToList();
                        (termCol, ambiguousCol, orgCol, aliasesCol) = (0, names.IndexOf("ambiguous"), names.IndexOf("org"), names.IndexOf("aliases"));
                        continue;
                    }
                }
                string Field(int i) => i >= 0 && i < fields.Length ? fields[i] : "";
                var term = Field(termCol);
                if (term.Length == 0 || term[0] == '#') continue;
                var ambiguous = Field(ambiguousCol).ToLowerInvariant() is "true" or "yes" or "oui" or "1" or "x";
                var org = Field(orgCol);
                var aliases = Field(aliasesCol).Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                Add(term, ambiguous, org.Length == 0 ? null : org, aliases.Length == 0 ? null : aliases, (int)csv.LineNumber, terms, errors);
            }
        }
        catch (CsvFormatException e)
        {
            errors.Add($"The CSV cannot be read after record {records}: {e.Message}");
        }
    }

    private static void Add(string term, bool ambiguous, string? org, string[]? aliases, int line, List<PolicyTerm> terms, List<string> errors)
    {
        string? problem = null;
        if (term.Length > 200) problem = "a term is at most 200 characters";
        else if (term.Any(char.IsControl) || (org?.Any(char.IsControl) ?? false)) problem = "it contains control characters";
        else if (aliases?.Any(a => a.Length > 200 || a.Any(char.IsControl)) ?? false) problem = "an alias is longer than 200 characters or contains control characters";
        if (problem is null)
        {
            terms.Add(new PolicyTerm(term, ambiguous, org, aliases));
            return;
        }
        if (errors.Count < MaxErrors) errors.Add($"Line {line.ToString(CultureInfo.InvariantCulture)}: {problem}.");
    }

    public static void WriteCsv(TextWriter writer, IEnumerable<PolicyTerm> terms)
    {
        using var csv = CsvWriter.Create(writer, new CsvWriterOptions(), leaveOpen: true);
        csv.WriteRecord(["term", "ambiguous", "org", "aliases"]);
        foreach (var t in terms)
            csv.WriteRecord([t.Term, t.Ambiguous ? "true" : "false", t.Org ?? "", string.Join('|', t.Aliases ?? [])]);
        csv.Flush();
    }

    public static void WriteText(TextWriter writer, IEnumerable<PolicyTerm> terms)
    {
        foreach (var t in terms) writer.Write(t + "\n");
    }
}
