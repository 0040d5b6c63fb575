using Microsoft.Playwright;
using Queue.Testing;

namespace Queue.Console.Tests;

/// <summary>
/// One real node (Kestrel, partition actors, in-memory journal) and one Chromium for every test
/// in the collection: starting either costs seconds on a loaded machine, and the tests use topic
/// names of their own so they do not see each other's data.
/// </summary>
public sealed class ConsoleNodeFixture : IAsyncLifetime
{
    /// <summary>Debian's package; Playwright's own browser downloads cannot run here (no internet).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public TestNode Node { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium package (apt-get install chromium); .ci/run does");
        }
        Node = await TestNode.StartAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Args = ["--no-sandbox"] });
    }

    /// <summary>A page at 1280×800 with generous waits: the machine running the tests is shared and slow.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height }, BaseURL = Node.BaseAddress.ToString() });
        page.SetDefaultTimeout(30_000);
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleNodeFixture>
{
    public const string Name = "console node";
}
