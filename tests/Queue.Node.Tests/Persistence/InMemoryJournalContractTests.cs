using Queue.Core.Journal;

namespace Queue.Node.Tests.Persistence;

public sealed class InMemoryJournalContractTests : JournalContractTests
{
    private readonly InMemoryJournal _journal = new();

    protected override IPartitionJournal Journal => _journal;

    protected override IMetadataJournal Catalog => _journal;
}
