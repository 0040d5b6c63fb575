using Akka.Actor;
using Queue.Core.Configuration;
using Queue.Core.Edge;
using Queue.Core.Journal;
using Queue.Core.Log;
using Queue.Core.Protocol;
using Queue.Node.Catalogue;
using Queue.Node.Tests.Support;
using Xunit.Abstractions;

namespace Queue.Node.Tests.Catalogue;

/// <summary>The catalogue on a real journal: decisions survive a crash and ids are never handed out twice.</summary>
public sealed class CatalogueActorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private readonly TestJournal _journal;

    public CatalogueActorSpecs(ITestOutputHelper output) : this(TestJournal.Memory(), output)
    {
    }

    private CatalogueActorSpecs(TestJournal journal, ITestOutputHelper output) : base(journal.Config, output: output) => _journal = journal;

    [Fact]
    public void Creating_a_topic_twice_creates_it_once()
    {
        var catalogue = Sys.ActorOf(Props.Create(() => new CatalogueActor(1000)));
        catalogue.Tell(new CreateTopic("orders", 3), TestActor);
        // A new topic's retention policy is version 1 (here: keep everything, the default).
        var orders = new TopicInfo("orders", 3, new RetentionPolicy(0, 0, 1));
        Assert.Equal(new TopicCreated(orders, true), ExpectMsg<TopicCreated>(Long));
        // The second create keeps the first topic, whatever it asks for.
        catalogue.Tell(new CreateTopic("orders", 5), TestActor);
        Assert.Equal(new TopicCreated(orders, false), ExpectMsg<TopicCreated>(Long));
    }

    [Theory]
    // 2: recovery from a snapshot plus events; 1000: from events alone.
    [InlineData(2)]
    [InlineData(1000)]
    public void After_a_crash_topics_survive_and_ids_are_never_reused(int snapshotEvery)
    {
        var catalogue = Sys.ActorOf(Props.Create(() => new CatalogueActor(snapshotEvery)));
        catalogue.Tell(new CreateTopic("orders", 2), TestActor);
        Assert.True(ExpectMsg<TopicCreated>(Long).Created);
        // Producers and consumers are numbered apart, as the seeds number them.
        var ids = new List<long>();
        var consumerIds = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            catalogue.Tell(new RegisterProducer("orders", null), TestActor);
            ids.Add(ExpectMsg<ProducerRegistered>(Long).Producer.Id);
            catalogue.Tell(new RegisterConsumer("orders", 1, StartFrom.Earliest), TestActor);
            consumerIds.Add(ExpectMsg<ConsumerRegistered>(Long).Consumer.Id);
        }
        Assert.Equal([1L, 2L, 3L], ids);
        Assert.Equal([1L, 2L, 3L], consumerIds);
        catalogue.Tell(new RegisterProducer("missing", null), TestActor);
        Assert.Equal(QueueErrorKind.NotFound, ExpectMsg<RequestFailed>(Long).Kind);

        Watch(catalogue);
        catalogue.Tell(Kill.Instance);
        ExpectTerminated(catalogue, Long);
        var again = Sys.ActorOf(Props.Create(() => new CatalogueActor(snapshotEvery)));

        again.Tell(new CreateTopic("orders", 2), TestActor);
        Assert.False(ExpectMsg<TopicCreated>(Long).Created);
        again.Tell(new GetConsumer(consumerIds[^1]), TestActor);
        Assert.Equal(new ConsumerInfo(consumerIds[^1], "orders", 1, StartFrom.Earliest), ExpectMsg<ConsumerLookup>(Long).Consumer);
        again.Tell(new RegisterProducer("orders", 0), TestActor);
        var next = ExpectMsg<ProducerRegistered>(Long).Producer.Id;
        Assert.DoesNotContain(next, ids);
        Assert.True(next > ids.Max(), $"id {next} after {string.Join(",", ids)}");
        again.Tell(new RegisterConsumer("orders", null, StartFrom.Latest), TestActor);
        Assert.Equal(consumerIds.Max() + 1, ExpectMsg<ConsumerRegistered>(Long).Consumer.Id);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    public void Retention_takes_the_defaults_changes_with_a_growing_version_and_survives_a_crash(int snapshotEvery)
    {
        var defaults = new RetentionSettings { Ms = 60_000, Messages = 0 };
        var catalogue = Sys.ActorOf(Props.Create(() => new CatalogueActor(snapshotEvery, defaults)));
        catalogue.Tell(new CreateTopic("logs", 2, null, 500), TestActor);
        Assert.Equal(new RetentionPolicy(60_000, 500, 1), ExpectMsg<TopicCreated>(Long).Topic.Retention);
        catalogue.Tell(new SetTopicRetention("logs", 0, null), TestActor);
        Assert.Equal(new RetentionPolicy(0, 500, 2), ExpectMsg<TopicLookup>(Long).Topic!.Retention);
        catalogue.Tell(new SetTopicRetention("nowhere", 1, null), TestActor);
        Assert.Null(ExpectMsg<TopicLookup>(Long).Topic);

        Watch(catalogue);
        catalogue.Tell(Kill.Instance);
        ExpectTerminated(catalogue, Long);
        var again = Sys.ActorOf(Props.Create(() => new CatalogueActor(snapshotEvery)));
        again.Tell(new GetTopic("logs"), TestActor);
        Assert.Equal(new TopicInfo("logs", 2, new RetentionPolicy(0, 500, 2)), ExpectMsg<TopicLookup>(Long).Topic);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _journal.Dispose();
    }
}
