using System.Threading.Tasks;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>The WSH002 fixes against the package's real flow analyzers.</summary>
    public class CloseDuringHandoffEndToEndTests
    {
        [Fact]
        public async Task Fix_of_the_real_WSH002_removes_the_close_after_a_detach()
        {
            await new FixTest<CloseDuringHandoffCodeFixProvider>(analyzers: UseHandoffWebSocketEndToEndTests.AllFlowAnalyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task<Stream> RunAsync(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync(ct);
                            await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", ct)|};
                            return raw;
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task<Stream> RunAsync(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync(ct);
                            return raw;
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_of_the_real_WSH002_on_a_BCL_WebSocket_detaches_and_drops_the_close()
        {
            await new FixTest<CloseDuringHandoffCodeFixProvider>(analyzers: UseHandoffWebSocketEndToEndTests.AllFlowAnalyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer)
                        {
                            WebSocket ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.WriteAsync(buffer, 0, buffer.Length)|};
                            await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default)|};
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer)
                        {
                            HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync();
                            await raw.WriteAsync(buffer, 0, buffer.Length);
                        }
                    }
                    """,
            }.RunAsync();
        }
    }
}
