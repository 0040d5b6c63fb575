using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Queue.Console.Tests;

/// <summary>
/// The web console in a real Chromium against a real node. Every check is one of Playwright's
/// auto-waiting expectations (it polls until the page shows the thing or the timeout passes), so
/// the console's 2-second refresh and a slow machine only make a test slower, never flaky.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleBrowserTests(ConsoleNodeFixture fixture)
{
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 30_000 };

    [Fact]
    public async Task Cluster_page_lists_the_node_as_an_up_manager_with_its_partitions_and_fits_a_phone()
    {
        var nodeId = await NodeIdAsync();
        await fixture.Node.Http.PostAsJsonAsync("v1/topics", new { name = "cluster-page", partitions = 2 });
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/");

        var row = page.Locator($"#members tbody tr[data-node='{nodeId}']");
        await Expect(row).ToContainTextAsync("up", new() { Timeout = 30_000 });
        await Expect(row).ToContainTextAsync("manager", new() { Timeout = 30_000 });
        await Expect(row).ToContainTextAsync("broker, edge", new() { Timeout = 30_000 });
        // Partitions start when first used; the box shows them once sharding reports them.
        await fixture.Node.Http.GetAsync("v1/topics/cluster-page/partitions/1/messages");
        await Expect(page.Locator($".broker[data-broker='{nodeId}']")).ToContainTextAsync("cluster-page/1", new() { Timeout = 30_000 });
        await ScreenshotAsync(page, "cluster");

        var phone = await fixture.NewPageAsync(390, 844);
        await phone.GotoAsync("/");
        await Expect(phone.Locator($"#members tbody tr[data-node='{nodeId}']")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // Wide tables scroll inside their own box; the page itself must not need sideways scrolling.
        var overflow = await phone.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the cluster page is {overflow} px wider than a 390 px phone screen");
        await ScreenshotAsync(phone, "cluster-phone");
    }

    [Fact]
    public async Task Creating_a_topic_in_the_page_makes_it_appear_through_the_api()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/#/topics");

        await page.Locator("#topic-name").FillAsync("from-the-page");
        await page.Locator("#topic-partitions").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create topic" }).ClickAsync();

        await Expect(page.Locator("#create-result")).ToHaveTextAsync("Created topic 'from-the-page' with 3 partition(s).", Patient);
        var topic = await fixture.Node.Http.GetFromJsonAsync<JsonElement>("v1/topics/from-the-page");
        Assert.Equal(3, topic.GetProperty("partitions").GetInt32());
        await Expect(page.Locator("#topics tbody tr[data-topic='from-the-page']")).ToHaveCountAsync(3, new() { Timeout = 30_000 });

        // The same name again: the server's refusal in words, next to the form.
        await page.Locator("#topic-name").FillAsync("from-the-page");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create topic" }).ClickAsync();
        await Expect(page.Locator("#create-result")).ToContainTextAsync("already exists", new() { Timeout = 30_000 });
        await ScreenshotAsync(page, "topics-create");
    }

    [Fact]
    public async Task Producing_through_the_api_moves_the_high_water_mark_and_the_lag_on_the_page_and_peeking_moves_no_position()
    {
        (await fixture.Node.Http.PostAsJsonAsync("v1/topics", new { name = "lagging", partitions = 1 })).EnsureSuccessStatusCode();
        var consumer = await (await fixture.Node.Http.PostAsJsonAsync("v1/consumers", new { topic = "lagging", from = "earliest" })).Content.ReadFromJsonAsync<JsonElement>();
        var consumerId = consumer.GetProperty("consumer_id").GetInt64();
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/#/topics/lagging");
        var highWatermark = page.Locator("#topics tbody tr[data-topic='lagging'][data-partition='0'] td.hw");
        await Expect(highWatermark).ToHaveTextAsync("0", Patient);

        var messages = Enumerable.Range(1, 7).Select(i => new { value = $"message {i}" }).ToArray();
        (await fixture.Node.Http.PostAsJsonAsync("v1/topics/lagging/messages", new { messages })).EnsureSuccessStatusCode();

        await Expect(highWatermark).ToHaveTextAsync("7", Patient);
        await page.Locator("#topics tbody tr[data-topic='lagging'] button", new() { HasText = "peek newest" }).ClickAsync();
        await Expect(page.Locator("#peek-messages tbody tr").First).ToContainTextAsync("message 7", new() { Timeout = 30_000 });
        await Expect(page.Locator("#peek-messages tbody tr")).ToHaveCountAsync(7, new() { Timeout = 30_000 });
        await ScreenshotAsync(page, "topics-peek");

        await page.GotoAsync("/#/consumers");
        var lag = page.Locator($"#consumers tbody tr[data-consumer='{consumerId}'][data-partition='0'] td.lag");
        await Expect(lag).ToHaveTextAsync("7", Patient);
        await ScreenshotAsync(page, "consumers");

        // Peeking read by offset: the consumer is still at the start.
        var positions = await fixture.Node.Http.GetFromJsonAsync<JsonElement>($"v1/consumers/{consumerId}/positions");
        Assert.Equal(0, positions.GetProperty("positions")[0].GetProperty("position").GetInt64());

        (await fixture.Node.Http.PostAsJsonAsync($"v1/consumers/{consumerId}/commit", new { offset = 5 })).EnsureSuccessStatusCode();
        await Expect(lag).ToHaveTextAsync("2", Patient);
    }

    [Fact]
    public async Task An_unknown_topic_is_named_in_plain_words()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/#/topics/no-such-topic");

        await Expect(page.Locator("#error")).ToHaveTextAsync(
            "Topic 'no-such-topic' does not exist. Check the name (names are case-sensitive) or create it above.", Patient);
        await ScreenshotAsync(page, "unknown-topic");
    }

    private async Task<string> NodeIdAsync()
    {
        var cluster = await fixture.Node.Http.GetFromJsonAsync<JsonElement>("cluster");
        return cluster.GetProperty("members")[0].GetProperty("node_id").GetString()!;
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }
}
