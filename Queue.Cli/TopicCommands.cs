using System.CommandLine;
using Spectre.Console;

namespace Queue.Cli;

/// <summary><c>topics list | create NAME [--partitions N] | describe NAME</c>.</summary>
public static class TopicCommands
{
    public static Command Build(Func<ParseResult, CliContext> context)
    {
        var topics = new Command("topics", "List, create and describe topics");

        var list = new Command("list", "Every topic with its partition count");
        list.SetAction(async (parsed, ct) =>
        {
            var cli = context(parsed);
            await using var client = cli.Connect();
            var all = await client.Admin.ListTopicsAsync(ct);
            var table = new Table().AddColumn("topic").AddColumn(new TableColumn("partitions").RightAligned());
            foreach (var t in all)
            {
                table.AddRow(Markup.Escape(t.Name), t.PartitionCount.ToString());
            }
            cli.Console.Write(table);
            cli.Console.WriteLine($"{all.Count} topic(s)");
            return ExitCodes.Ok;
        });

        var name = new Argument<string>("name") { Description = "Topic name: letters, digits, '.', '_', '-'" };
        var partitions = new Option<int?>("--partitions", "-p") { Description = "Partition count (default: the server's, 1)" };
        var create = new Command("create", "Create a topic") { name, partitions };
        create.SetAction(async (parsed, ct) =>
        {
            var cli = context(parsed);
            var count = parsed.GetValue(partitions);
            if (count is < 1)
            {
                throw new UsageException($"--partitions must be at least 1, got {count}");
            }
            await using var client = cli.Connect();
            var created = await client.Admin.CreateTopicAsync(parsed.GetValue(name)!, count, ct);
            cli.Console.WriteLine($"Created topic '{created.Name}' with {created.PartitionCount} partition(s)");
            return ExitCodes.Ok;
        });

        var describeName = new Argument<string>("name") { Description = "Topic name" };
        var describe = new Command("describe", "A topic's partitions: log start, high-water mark, owner broker") { describeName };
        describe.SetAction(async (parsed, ct) =>
        {
            var cli = context(parsed);
            await using var client = cli.Connect();
            var topic = await client.Admin.DescribeTopicAsync(parsed.GetValue(describeName)!, ct);
            using var admin = cli.Admin();
            var placement = await admin.GetAsync<PlacementView>("cluster/partitions", ct);
            var owners = placement.Partitions.Where(p => p.Topic == topic.Name).ToDictionary(p => p.Partition, p => p.Owner);
            var table = new Table().Title($"topic {Markup.Escape(topic.Name)}")
                .AddColumn(new TableColumn("partition").RightAligned()).AddColumn(new TableColumn("log start").RightAligned())
                .AddColumn(new TableColumn("high-water mark").RightAligned()).AddColumn("owner broker");
            foreach (var p in topic.Partitions)
            {
                table.AddRow(p.Partition.ToString(), p.LogStart.ToString(), p.HighWatermark.ToString(), Markup.Escape(owners.GetValueOrDefault(p.Partition) ?? "not started"));
            }
            cli.Console.Write(table);
            return ExitCodes.Ok;
        });

        topics.Subcommands.Add(list);
        topics.Subcommands.Add(create);
        topics.Subcommands.Add(describe);
        return topics;
    }
}
