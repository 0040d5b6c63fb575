using System.CommandLine;
using Spectre.Console;

namespace Queue.Cli;

/// <summary><c>lag</c> and <c>cluster status</c>: the admin endpoints as tables.</summary>
public static class AdminCommands
{
    public static Command Lag(Func<ParseResult, CliContext> context)
    {
        var topic = new Option<string?>("--topic", "-t") { Description = "Only consumers of this topic" };
        var lag = new Command("lag", "Every consumer's position and lag per partition, most behind first") { topic };
        lag.SetAction(async (parsed, ct) =>
        {
            var cli = context(parsed);
            using var admin = cli.Admin();
            var view = await admin.GetAsync<ConsumersView>("cluster/consumers", ct);
            var only = parsed.GetValue(topic);
            var table = new Table().AddColumn(new TableColumn("consumer").RightAligned()).AddColumn("topic").AddColumn(new TableColumn("partition").RightAligned())
                .AddColumn(new TableColumn("position").RightAligned()).AddColumn(new TableColumn("high-water mark").RightAligned()).AddColumn(new TableColumn("lag").RightAligned());
            var rows = view.Consumers.Where(c => only is null || c.Topic == only)
                .SelectMany(c => c.Error is { } problem
                    ? [(c, (PositionView?)null, problem)]
                    : c.Positions.Select(p => (c, (PositionView?)p, (string?)null)))
                .OrderByDescending(r => r.Item2?.Lag ?? long.MaxValue).ThenBy(r => r.c.ConsumerId);
            foreach (var (consumer, position, problem) in rows)
            {
                table.AddRow(consumer.ConsumerId.ToString(), Markup.Escape(consumer.Topic),
                    position?.Partition.ToString() ?? "–", position?.Position.ToString() ?? "–", position?.HighWatermark.ToString() ?? "–",
                    position?.Lag.ToString() ?? Markup.Escape($"unknown: {problem}"));
            }
            cli.Console.Write(table);
            return ExitCodes.Ok;
        });
        return lag;
    }

    public static Command Cluster(Func<ParseResult, CliContext> context)
    {
        var cluster = new Command("cluster", "The cluster: members and partition placement");
        var status = new Command("status", "Members (roles, status, reachability, manager) and the partitions each broker hosts");
        status.SetAction(async (parsed, ct) =>
        {
            var cli = context(parsed);
            using var admin = cli.Admin();
            var view = await admin.GetAsync<ClusterView>("cluster", ct);
            var placement = await admin.GetAsync<PlacementView>("cluster/partitions", ct);
            var members = new Table().Title($"{view.Members.Count} member(s), {Markup.Escape(view.Mode)}")
                .AddColumn("node").AddColumn("address").AddColumn("http").AddColumn("roles").AddColumn("status").AddColumn("manager");
            foreach (var m in view.Members)
            {
                members.AddRow(Markup.Escape(m.NodeId), Markup.Escape(m.Address), Markup.Escape(m.HttpAddress), Markup.Escape(string.Join(",", m.Roles)),
                    Markup.Escape(m.Status), m.NodeId == view.Manager?.NodeId ? "yes" : "");
            }
            cli.Console.Write(members);
            var byOwner = new Table().Title("partition placement").AddColumn("broker").AddColumn(new TableColumn("count").RightAligned()).AddColumn("partitions");
            foreach (var group in placement.Partitions.GroupBy(p => p.Owner ?? "not started").OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                byOwner.AddRow(Markup.Escape(group.Key), group.Count().ToString(), Markup.Escape(string.Join(" ", group.Select(p => $"{p.Topic}/{p.Partition}"))));
            }
            cli.Console.Write(byOwner);
            return ExitCodes.Ok;
        });
        cluster.Subcommands.Add(status);
        return cluster;
    }
}
