using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Queue.Testing;
using Xunit.Abstractions;

namespace Queue.MultiNode.Tests;

/// <summary>
/// Remoting is mutual TLS with the cluster certificate pinned: a node presenting the cluster's
/// certificate joins; a node presenting another certificate, or none, cannot join, and the log
/// says why. Certificates are made here (self-signed, like the README's openssl recipe).
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class TlsSpec(ITestOutputHelper output) : IDisposable
{
    private const string Password = "spec-password";
    private readonly string _directory = Directory.CreateTempSubdirectory("akkaqueue-tls-").FullName;

    [Fact]
    public async Task Only_nodes_with_the_cluster_certificate_join()
    {
        var cluster = Certificate("cluster");
        var foreign = Certificate("foreign");
        var seedPort = FreePort.Next();
        var seed = $"127.0.0.1:{seedPort}";
        var environment = new Dictionary<string, string> { ["QUEUE_TLS_PASSWORD"] = Password };
        string[] Args(string id, int port, params string[] more) =>
            ["--node-id", id, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed-nodes", seed, "--journal", "memory", .. more];

        await using var b1 = await NodeProcess.StartAsync(Args("b1", seedPort, "--tls-certificate", cluster), environment: environment);
        await Eventually.True(() => Admin.IsReadyAsync(b1.Http), TimeSpan.FromSeconds(60), "b1 formed the cluster over TLS");
        Assert.Contains("TLS (mutual)", b1.Output, StringComparison.Ordinal);

        await using var b2 = await NodeProcess.StartAsync(Args("b2", FreePort.Next(), "--tls-certificate", cluster), environment: environment);
        // Launched, not awaited: a node refused by every seed may give up and exit (seen: its
        // remoting shuts down after the refused association), which is a refusal too.
        await using var wrong = NodeProcess.Launch(Args("wrong", FreePort.Next(), "--tls-certificate", foreign), environment: environment);
        await using var plain = NodeProcess.Launch(Args("plain", FreePort.Next(), "--insecure-dev", "on"));

        // The positive control first: while b2 joins, the others have had their chances too.
        await Eventually.True(async () => (await Admin.GetClusterAsync(b1.Http)).Members.Any(m => m.NodeId == "b2" && m.Status == "up"),
            TimeSpan.FromSeconds(60), "b2, with the cluster certificate, joined");
        await Eventually.True(() => wrong.Output.Contains("Certificate pinning failed", StringComparison.Ordinal) || b1.Output.Contains("Certificate pinning failed", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "a log says the foreign certificate was refused");
        var members = (await Admin.GetClusterAsync(b1.Http)).Members.Select(m => m.NodeId).ToList();
        output.WriteLine($"members seen by b1: {string.Join(", ", members)}");
        Assert.DoesNotContain("wrong", members);
        Assert.DoesNotContain("plain", members);
        Assert.False(await ServingAsync(wrong), "the node with the foreign certificate must not be serving");
        if (wrong.HasExited)
        {
            // Akka ends a node whose TLS handshake failed; the node says so and exits non-zero.
            Assert.Equal(3, wrong.ExitCode);
            Assert.Contains("TLS handshake with a cluster peer failed", wrong.Output, StringComparison.Ordinal);
        }
        Assert.False(await ServingAsync(plain), "the node without TLS must not be serving");
        await Eventually.True(() => plain.Output.Contains("INSECURE", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            "the node without TLS says so in its ready line");
    }

    /// <summary>Ready and answering; a node that gave up and exited is not serving either.</summary>
    private async Task<bool> ServingAsync(NodeProcess node)
    {
        if (node.HasExited)
        {
            var lines = node.Output.Split('\n');
            output.WriteLine($"node {node.Id} exited with {node.ExitCode}; its last lines:\n{string.Join('\n', lines.TakeLast(15))}");
            return false;
        }
        try
        {
            return await Admin.IsReadyAsync(node.Http);
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private string Certificate(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=akkaqueue-{name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(_directory, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
