using Gazouille.Cli;

var root = new RootCommand("Gazouille — the company's microblog, open to partners, with leak prevention built in.")
{
    CliHost.Data, CliHost.Database, CliHost.Connection,
};
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(AdminCommands.Create());
root.Subcommands.Add(Gazouille.Features.LeakGuard.LeakGuardCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
return await root.Parse(args).InvokeAsync();
