using System.Buffers;
using Queue.Core.Transport;

namespace Queue.Core.Tests.Transport;

public sealed class FrameFormatTests
{
    private static byte[] Frame(FrameKind kind, long id, params byte[] payload)
    {
        using var writer = new WireWriter(MessageCodec.CreateDefault());
        FrameFormat.ReserveHeader(writer);
        writer.WriteBytes(payload);
        FrameFormat.CompleteHeader(writer, kind, id);
        return writer.WrittenSpan.ToArray();
    }

    [Fact]
    public void A_frame_is_length_kind_correlation_id_payload()
    {
        var bytes = Frame(FrameKind.Request, 0x0102030405060708, 9, 8, 7);
        Assert.Equal([12, 0, 0, 0, 5, 8, 7, 6, 5, 4, 3, 2, 1, 9, 8, 7], bytes);
    }

    [Fact]
    public void Frames_are_taken_whole_and_only_when_complete()
    {
        var two = Frame(FrameKind.Response, 1, 1, 2).Concat(Frame(FrameKind.OneWay, 2)).ToArray();
        for (var cut = 0; cut < two.Length; cut++)
        {
            var buffer = new ReadOnlySequence<byte>(two[..cut]);
            var taken = 0;
            while (FrameFormat.TryRead(ref buffer, 1024, out _, out _, out _))
            {
                taken++;
            }
            Assert.Equal(cut >= two.Length ? 2 : cut >= 15 ? 1 : 0, taken);
        }
        var all = new ReadOnlySequence<byte>(two);
        Assert.True(FrameFormat.TryRead(ref all, 1024, out var kind, out var id, out var payload));
        Assert.Equal((FrameKind.Response, 1L), (kind, id));
        Assert.Equal([1, 2], payload.ToArray());
        Assert.True(FrameFormat.TryRead(ref all, 1024, out kind, out id, out payload));
        Assert.Equal((FrameKind.OneWay, 2L, 0L), (kind, id, payload.Length));
        Assert.True(all.IsEmpty);
    }

    [Fact]
    public void An_oversized_frame_is_refused_from_its_length_prefix_alone()
    {
        var buffer = new ReadOnlySequence<byte>([0x00, 0x00, 0x00, 0x40]);
        var error = Assert.Throws<WireFormatException>(() => FrameFormat.TryRead(ref buffer, 16 * 1024 * 1024, out _, out _, out _));
        Assert.Contains("exceeds", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 3, 0, 0, 0, 5, 0, 0 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 9, 0, 0, 0, 200, 0, 0, 0, 0, 0, 0, 0, 0 })]
    public void Short_negative_and_unknown_kind_frames_are_malformed(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.Throws<WireFormatException>(() => FrameFormat.TryRead(ref buffer, 1024, out _, out _, out _));
    }
}
