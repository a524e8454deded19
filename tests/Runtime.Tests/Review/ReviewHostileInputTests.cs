using System;
using System.Buffers.Binary;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.Review;

/// <summary>
/// G7, differentially: for each hostile input, the HandoffWebSocket ends exactly as the BCL WebSocket does on the same
/// bytes (same data delivered, same exception type and error code), promptly and without allocating by a declared length.
/// </summary>
[Collection(nameof(ReviewHostileInputTests))]
public sealed class ReviewHostileInputTests
{
    private const long AllocationLimit = 32 * 1024 * 1024;

    private static byte[] Header64(byte first, ulong length, bool masked = false)
    {
        var header = new byte[10 + (masked ? 4 : 0)];
        header[0] = first;
        header[1] = (byte)(127 | (masked ? 0x80 : 0));
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), length);
        return header;
    }

    public static TheoryData<string, bool, byte[]> Cases()
    {
        var data = new TheoryData<string, bool, byte[]>();
        foreach (bool isServer in new[] { false, true })
        {
            bool m = isServer; // frames a well-behaved peer would send to this role
            data.Add("length 2^63-1", isServer, Frames.Concat(Header64(0x82, long.MaxValue, m), new byte[5000]));
            data.Add("length 2^64-1 (MSB set)", isServer, Frames.Concat(Header64(0x82, ulong.MaxValue, m), new byte[5000]));
            data.Add("length 2^63 (MSB set)", isServer, Frames.Concat(Header64(0x82, 1UL << 63, m), new byte[64]));
            data.Add("16-bit length encoded in 64 bits", isServer, Frames.Concat(Header64(0x82, 200, m), new byte[200], Frames.Build(Frames.Text, "next"u8, masked: m)));
            data.Add("7-bit length encoded in 16 bits", isServer, Frames.Concat(new byte[] { 0x82, (byte)(126 | (m ? 0x80 : 0)), 0, 5 }, m ? new byte[4] : Array.Empty<byte>(), new byte[5]));
            data.Add("ping of 126 bytes", isServer, Frames.Build(Frames.Ping, new byte[126], masked: m));
            data.Add("close of 126 bytes", isServer, Frames.Build(Frames.Close, new byte[126], masked: m));
            data.Add("pong of 64-bit length 2^63-1", isServer, Frames.Concat(Header64(0x8A, long.MaxValue, m), new byte[300]));
            data.Add("fragmented ping", isServer, Frames.Build(Frames.Ping, "x"u8, fin: false, masked: m));
            data.Add("fragmented close", isServer, Frames.Build(Frames.Close, new byte[] { 3, 0xE8 }, fin: false, masked: m));
            data.Add("RSV1 without deflate", isServer, Frames.Build(Frames.Binary, "x"u8, masked: m, rsv: 4));
            data.Add("RSV2", isServer, Frames.Build(Frames.Binary, "x"u8, masked: m, rsv: 2));
            data.Add("RSV3 on a ping", isServer, Frames.Build(Frames.Ping, "x"u8, masked: m, rsv: 1));
            foreach (int opcode in new[] { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF })
            {
                data.Add($"opcode {opcode:X}", isServer, Frames.Build(opcode, "xy"u8, masked: m));
            }

            data.Add("wrong masking for the role", isServer, Frames.Build(Frames.Text, "x"u8, masked: !m));
            data.Add("continuation without a message", isServer, Frames.Build(Frames.Continuation, "x"u8, masked: m));
            data.Add("new message inside a fragmented one", isServer, Frames.Concat(Frames.Build(Frames.Text, "a"u8, fin: false, masked: m), Frames.Build(Frames.Text, "b"u8, masked: m)));
            data.Add("invalid UTF-8 text", isServer, Frames.Build(Frames.Text, new byte[] { 0xC3, 0x28 }, masked: m));
            data.Add("close with 1-byte payload", isServer, Frames.Build(Frames.Close, new byte[] { 3 }, masked: m));
            data.Add("truncated header then EOF", isServer, new byte[] { 0x82, 127, 0, 0 });
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_input_ends_as_on_the_BCL_WebSocket_promptly_and_without_allocation_by_declared_length(string what, bool isServer, byte[] input)
    {
        Assert.NotEmpty(what);
        Outcome bcl = await RunAsync(input, isServer, handoff: false);
        long before = GC.GetTotalAllocatedBytes(precise: false);
        Outcome handoff = await RunAsync(input, isServer, handoff: true);
        Assert.True(GC.GetTotalAllocatedBytes(precise: false) - before < AllocationLimit, "allocation by declared length");
        Assert.Equal(bcl, handoff);
    }

    [Fact]
    public async Task Random_byte_streams_end_as_on_the_BCL_WebSocket()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int i = 0; i < 100; i++)
        {
            bool isServer = random.Next(2) == 0;
            byte[] noise = Frames.RandomBytes(random.Next(2, 300), random);
            if (random.Next(3) == 0)
            {
                noise[0] = (byte)(0x80 | random.Next(3)); // a plausible first byte, so parsing goes further
                noise[1] = (byte)((isServer ? 0x80 : 0) | (noise[1] & 0x7F));
            }

            Outcome bcl = await RunAsync(noise, isServer, handoff: false);
            Outcome handoff = await RunAsync(noise, isServer, handoff: true);
            Assert.True(bcl == handoff, $"iteration {i}, seed {seed}: BCL {bcl}, handoff {handoff}, input {Convert.ToHexString(noise)}");
        }
    }

    private sealed record Outcome(long DataBytes, int Messages, string End, int WroteBack);

    private static async Task<Outcome> RunAsync(byte[] input, bool isServer, bool handoff)
    {
        using Loopback lb = await Loopback.CreateAsync();
        WebSocket ws = handoff ? Peers.Handoff(lb.LocalStream, isServer) : Peers.Bcl(lb.LocalStream, isServer);
        using (ws)
        {
            Task write = Task.Run(async () =>
            {
                try
                {
                    await lb.RemoteStream.WriteAsync(input);
                    lb.Remote.Shutdown(SocketShutdown.Send);
                }
                catch (IOException)
                {
                    // the WebSocket closed the connection first
                }
            });
            long data = 0;
            int messages = 0;
            string end;
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    ValueWebSocketReceiveResult r = await ws.ReceiveAsync(buffer.AsMemory(), Bounded.Token()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        end = "close " + ws.CloseStatus;
                        break;
                    }

                    data += r.Count;
                    messages += r.EndOfMessage ? 1 : 0;
                }
            }
            catch (WebSocketException ex)
            {
                end = $"WebSocketException {ex.WebSocketErrorCode}";
            }
            catch (TimeoutException)
            {
                end = "hang";
            }

            await write.WaitAsync(TimeSpan.FromSeconds(10));
            ws.Dispose();
            // What the WebSocket wrote back (a Close frame on a protocol error): count the bytes.
            int back = 0;
            lb.Remote.ReceiveTimeout = 2000;
            try
            {
                var b = new byte[1024];
                int n;
                while ((n = lb.Remote.Receive(b)) > 0)
                {
                    back += n;
                }
            }
            catch (SocketException)
            {
                back = back == 0 ? -1 : back;
            }

            return new Outcome(data, messages, end, back);
        }
    }
}

[CollectionDefinition(nameof(ReviewHostileInputTests), DisableParallelization = true)]
public sealed class ReviewHostileInputCollection
{
}
