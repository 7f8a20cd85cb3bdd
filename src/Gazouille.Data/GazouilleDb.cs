using Gazouille.Data.Entities;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Gazouille.Data;

public class GazouilleDb(DbContextOptions<GazouilleDb> options)
    : IdentityDbContext<Account, IdentityRole<long>, long>(options), IDataProtectionKeyContext
{
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<TeamFollow> TeamFollows => Set<TeamFollow>();
    public DbSet<Follow> Follows => Set<Follow>();
    public DbSet<PartnerOrg> PartnerOrgs => Set<PartnerOrg>();
    public DbSet<PartnerGrant> PartnerGrants => Set<PartnerGrant>();
    public DbSet<Status> Statuses => Set<Status>();
    public DbSet<StatusMention> StatusMentions => Set<StatusMention>();
    public DbSet<StatusTeamMention> StatusTeamMentions => Set<StatusTeamMention>();
    public DbSet<StatusTag> StatusTags => Set<StatusTag>();
    public DbSet<StatusAudienceOrg> StatusAudienceOrgs => Set<StatusAudienceOrg>();
    public DbSet<StatusEdit> StatusEdits => Set<StatusEdit>();
    public DbSet<Favourite> Favourites => Set<Favourite>();
    public DbSet<Bookmark> Bookmarks => Set<Bookmark>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<PersonalAccessToken> PersonalAccessTokens => Set<PersonalAccessToken>();
    public DbSet<BrowserSession> BrowserSessions => Set<BrowserSession>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<InstanceSetting> InstanceSettings => Set<InstanceSetting>();
    public DbSet<ClientApp> ClientApps => Set<ClientApp>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<LeakPolicyDocument> LeakPolicyDocuments => Set<LeakPolicyDocument>();
    public DbSet<LeakReview> LeakReviews => Set<LeakReview>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<FalsePositiveReport> FalsePositiveReports => Set<FalsePositiveReport>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<StatusProof> StatusProofs => Set<StatusProof>();
    public DbSet<Report> Reports => Set<Report>();
    public DbSet<MediaFile> MediaFiles => Set<MediaFile>();
    public DbSet<AccountWarning> AccountWarnings => Set<AccountWarning>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();

        builder.Entity<Account>(e =>
        {
            e.Property(a => a.Id).ValueGeneratedNever();
            e.Property(a => a.DisplayName).HasMaxLength(100);
            e.Property(a => a.Bio).HasMaxLength(2000);
            e.Property(a => a.Language).HasMaxLength(8);
            e.Property(a => a.DefaultAudience).HasMaxLength(Account.DefaultAudienceMaxLength);
            e.HasOne(a => a.PartnerOrg).WithMany().HasForeignKey(a => a.PartnerOrgId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Team>(e =>
        {
            e.Property(t => t.Id).ValueGeneratedNever();
            e.HasIndex(t => t.Handle).IsUnique();
            e.Property(t => t.Handle).HasMaxLength(64);
            e.Property(t => t.Name).HasMaxLength(100);
            e.Property(t => t.Description).HasMaxLength(2000);
        });
        builder.Entity<TeamMember>(e =>
        {
            e.HasKey(m => new { m.TeamId, m.AccountId });
            e.HasIndex(m => m.AccountId);
            e.HasOne(m => m.Team).WithMany(t => t.Members).HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(m => m.Account).WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<TeamFollow>(e =>
        {
            e.HasKey(f => new { f.AccountId, f.TeamId });
            e.HasIndex(f => f.TeamId);
        });
        builder.Entity<Follow>(e =>
        {
            e.Property(f => f.Id).ValueGeneratedNever();
            e.HasIndex(f => new { f.FollowerId, f.TargetId }).IsUnique();
            e.HasIndex(f => new { f.TargetId, f.Id });
            e.HasOne(f => f.Follower).WithMany().HasForeignKey(f => f.FollowerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(f => f.Target).WithMany().HasForeignKey(f => f.TargetId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<PartnerOrg>(e =>
        {
            e.Property(p => p.Id).ValueGeneratedNever();
            e.HasIndex(p => p.Handle).IsUnique();
            e.Property(p => p.Handle).HasMaxLength(64);
            e.Property(p => p.Name).HasMaxLength(200);
        });
        builder.Entity<PartnerGrant>(e =>
        {
            e.Property(g => g.Id).ValueGeneratedNever();
            e.HasIndex(g => new { g.TeamId, g.PartnerOrgId });
            e.HasIndex(g => g.PartnerOrgId);
        });

        builder.Entity<Status>(e =>
        {
            e.Property(s => s.Id).ValueGeneratedNever();
            e.HasOne(s => s.Account).WithMany().HasForeignKey(s => s.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(s => s.ReblogOf).WithMany().HasForeignKey(s => s.ReblogOfId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(s => s.Mentions).WithOne().HasForeignKey(m => m.StatusId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(s => s.Tags).WithOne().HasForeignKey(t => t.StatusId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(s => s.AudienceOrgs).WithOne().HasForeignKey(o => o.StatusId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(s => new { s.AccountId, s.Id });
            // Counting an author's published posts (every account shown with its counts) reads this index only, not the rows.
            e.HasIndex(s => new { s.AccountId, s.State });
            e.HasIndex(s => new { s.AudienceTeamId, s.Id });
            e.HasIndex(s => new { s.AudienceKind, s.Id });
            e.HasIndex(s => new { s.ThreadId, s.Id });
            e.HasIndex(s => s.InReplyToId);
            e.HasIndex(s => new { s.ReblogOfId, s.AccountId });
        });
        builder.Entity<StatusMention>(e =>
        {
            e.HasKey(m => new { m.StatusId, m.AccountId });
            e.HasIndex(m => new { m.AccountId, m.StatusId });
            e.HasOne(m => m.Account).WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<StatusTeamMention>(e => e.HasKey(m => new { m.StatusId, m.TeamId }));
        builder.Entity<StatusTag>(e =>
        {
            e.HasKey(t => new { t.StatusId, t.Name });
            e.HasIndex(t => new { t.Name, t.StatusId });
            e.Property(t => t.Name).HasMaxLength(100);
        });
        builder.Entity<StatusAudienceOrg>(e => e.HasKey(o => new { o.StatusId, o.PartnerOrgId }));
        builder.Entity<StatusEdit>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => new { x.StatusId, x.Id });
        });
        builder.Entity<Favourite>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => new { x.AccountId, x.StatusId }).IsUnique();
            e.HasIndex(x => new { x.StatusId, x.Id });
        });
        builder.Entity<Bookmark>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => new { x.AccountId, x.StatusId }).IsUnique();
        });
        builder.Entity<Notification>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => new { x.AccountId, x.Id });
            e.Property(x => x.Type).HasMaxLength(64);
            e.HasOne(x => x.FromAccount).WithMany().HasForeignKey(x => x.FromAccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(x => x.Status).WithMany().HasForeignKey(x => x.StatusId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<IdempotencyRecord>(e =>
        {
            e.HasKey(x => new { x.AccountId, x.Key });
            e.Property(x => x.Key).HasMaxLength(256);
        });
        builder.Entity<PersonalAccessToken>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.TokenHash).IsUnique();
        });
        builder.Entity<BrowserSession>(e =>
        {
            e.Property(x => x.Id).HasMaxLength(BrowserSession.IdLength);
            e.Property(x => x.UserAgent).HasMaxLength(BrowserSession.UserAgentMaxLength);
            e.Property(x => x.IpAddress).HasMaxLength(BrowserSession.IpMaxLength);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => x.AccountId);
        });
        builder.Entity<Invitation>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.CodeHash).IsUnique();
        });
        builder.Entity<InstanceSetting>(e => e.HasKey(x => x.Key));
        builder.Entity<ClientApp>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.ClientId).IsUnique();
        });
        builder.Entity<LeakPolicyDocument>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.Version).IsUnique();
            e.Property(x => x.Format).HasMaxLength(8);
            e.Property(x => x.Sha256).HasMaxLength(64);
            e.Property(x => x.ChangedBy).HasMaxLength(100);
        });
        builder.Entity<LeakReview>(e =>
        {
            e.HasKey(x => x.StatusId);
            e.HasOne<Status>().WithOne().HasForeignKey<LeakReview>(x => x.StatusId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.Pending, x.StatusId });
            e.HasIndex(x => new { x.AccountId, x.StatusId });
            e.Property(x => x.Decision).HasMaxLength(8);
            e.Property(x => x.Audience).HasMaxLength(16);
            e.Property(x => x.Types).HasMaxLength(1000);
            e.Property(x => x.Override).HasMaxLength(LeakReview.OverrideMaxLength);
            e.Property(x => x.Outcome).HasMaxLength(16);
            e.Property(x => x.ReviewReason).HasMaxLength(2000);
        });
        builder.Entity<AuditEntry>(e =>
        {
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedNever();
            e.HasIndex(x => x.At);
            e.Property(x => x.Actor).HasMaxLength(100);
            e.Property(x => x.Action).HasMaxLength(64);
            e.Property(x => x.Subject).HasMaxLength(200);
            e.Property(x => x.PrevHash).HasMaxLength(64);
            e.Property(x => x.Hash).HasMaxLength(64);
        });
        builder.Entity<FalsePositiveReport>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.ResolvedById).OnDelete(DeleteBehavior.SetNull);
            // One report per history entry and author; tips (no entry) may be reported again.
            e.HasIndex(x => new { x.AccountId, x.AuditSeq }).IsUnique();
            e.HasIndex(x => new { x.Status, x.Id });
            e.Property(x => x.Action).HasMaxLength(16);
            e.Property(x => x.Decision).HasMaxLength(8);
            e.Property(x => x.Audience).HasMaxLength(16);
            e.Property(x => x.Excerpt).HasMaxLength(FalsePositiveReport.ExcerptMaxLength);
            e.Property(x => x.Comment).HasMaxLength(FalsePositiveReport.CommentMaxLength);
            e.Property(x => x.Status).HasMaxLength(16);
            e.Property(x => x.ResolutionNote).HasMaxLength(FalsePositiveReport.NoteMaxLength);
            e.Property(x => x.PolicyChange).HasMaxLength(300);
        });
        builder.Entity<MediaFile>(e =>
        {
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(MediaFile.NameMaxLength);
            e.Property(x => x.ContentType).HasMaxLength(32);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<SigningKey>(e =>
        {
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.X).HasMaxLength(64);
            e.Property(x => x.Y).HasMaxLength(64);
            e.HasIndex(x => x.CreatedAt);
        });
        builder.Entity<StatusProof>(e =>
        {
            e.HasKey(x => new { x.StatusId, x.Edit });
            e.HasOne<Status>().WithMany().HasForeignKey(x => x.StatusId).OnDelete(DeleteBehavior.Cascade);
            e.Property(x => x.Signature).HasMaxLength(128);
            e.Property(x => x.KeyId).HasMaxLength(64);
        });
        builder.Entity<Report>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Category).HasMaxLength(16);
            e.Property(x => x.Comment).HasMaxLength(Report.CommentMaxLength);
            e.Property(x => x.StatusIds).HasMaxLength(Report.MaxStatuses * 21);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.ReporterId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.TargetAccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.ResolvedAt, x.Id });
            e.Property(x => x.Action).HasMaxLength(16);
            e.Property(x => x.ActionText).HasMaxLength(AccountWarning.TextMaxLength);
        });
        builder.Entity<AccountWarning>(e =>
        {
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Action).HasMaxLength(16);
            e.Property(x => x.Text).HasMaxLength(AccountWarning.TextMaxLength);
            e.Property(x => x.StatusIds).HasMaxLength(Report.MaxStatuses * 21);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.AccountId, x.Id });
        });
    }
}
