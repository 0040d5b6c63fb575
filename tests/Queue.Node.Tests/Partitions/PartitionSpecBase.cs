using Akka.Actor;
using Akka.TestKit;
using Queue.Core.Configuration;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Node.Partitions;
using Queue.Node.Tests.Support;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Partitions;

/// <summary>
/// A <see cref="PartitionActor"/> run directly (no sharding) in a TestKit actor system on a real
/// Akka.Persistence.Sql journal, with helpers to talk to it as an edge does: envelopes from probes.
/// </summary>
public abstract class PartitionSpecBase : Akka.TestKit.Xunit2.TestKit
{
    // Generous: these run on loaded two-core machines; nothing here measures time.
    protected static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    protected const string Topic = "orders";
    protected const int Partition = 0;
    internal static readonly PartitionId Id = new(Topic, Partition);

    protected PartitionSpecBase(TestJournal journal, ITestOutputHelper output) : base(journal.Config, output: output)
    {
        Journal = journal;
    }

    protected TestJournal Journal { get; }

    protected IActorRef StartPartition(PartitionSettings? settings = null, ActorSystem? system = null) =>
        (system ?? Sys).ActorOf(PartitionActor.Props(Id, settings ?? new PartitionSettings(), 32L * 1024 * 1024));

    protected static PartitionEnvelope Envelope(IQueueMessage request, long deadlineUtcTicks = 0) => new(Topic, Partition, request, deadlineUtcTicks);

    protected static AppendMessages Append(params string[] payloads) => new(payloads.Select(p => new ProduceItem(p, 1)).ToList());

    protected static AppendMessages Append(ProducerSequence sequence, params string[] payloads) =>
        new(payloads.Select(p => new ProduceItem(p, sequence.ProducerId)).ToList(), sequence);

    protected static MessagesAppended AppendOk(IActorRef partition, TestProbe probe, params string[] payloads)
    {
        partition.Tell(Envelope(Append(payloads)), probe.Ref);
        return probe.ExpectMsg<MessagesAppended>(Long);
    }

    /// <summary>Every committed message from offset 0, in offset order.</summary>
    protected static MessagesFetched FetchAll(IActorRef partition, TestProbe probe, int max = 100_000)
    {
        partition.Tell(Envelope(new FetchMessages(0, max)), probe.Ref);
        return probe.ExpectMsg<MessagesFetched>(Long);
    }

    protected static void StopHard(IActorRef partition, TestProbe probe)
    {
        // Kill is a crash, not StopPartition's drain: nothing in memory survives.
        probe.Watch(partition);
        partition.Tell(Kill.Instance);
        probe.ExpectTerminated(partition, Long);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        Journal.Dispose();
    }
}
