using System.Threading.Tasks;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>WSH002: removing the close call on a HandoffWebSocket, and the handoff plan on a BCL WebSocket.</summary>
    public class CloseDuringHandoffCodeFixProviderTests
    {
        [Fact]
        public async Task Fix_removes_a_close_after_the_detach_of_a_HandoffWebSocket()
        {
            await new FixTest<CloseDuringHandoffCodeFixProvider>
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
                        async Task RunAsync(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync(ct);
                            await raw.FlushAsync(ct);
                            // Tell the peer we are done.
                            await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|}.ConfigureAwait(false);
                            await raw.FlushAsync(ct);
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
                        async Task RunAsync(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync(ct);
                            await raw.FlushAsync(ct);
                            await raw.FlushAsync(ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_leaves_an_empty_block_where_the_close_was_the_whole_body_of_an_if()
        {
            await new FixTest<CloseDuringHandoffCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, bool polite)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync();
                            if (polite)
                                await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default)|};
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
                        async Task RunAsync(Stream stream, bool polite)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync();
                            if (polite)
                            {
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_on_a_BCL_WebSocket_carries_out_the_handoff_plan()
        {
            await new FixTest<CloseDuringHandoffCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, CancellationToken ct)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.FlushAsync(ct)|};
                            await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
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
                        async Task RunAsync(Stream stream, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync(ct);
                            await raw.FlushAsync(ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task No_fix_is_offered_on_a_BCL_WebSocket_when_HandoffWebSocket_does_not_resolve()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading.Tasks;

                class Bridge
                {
                    async Task RunAsync(Stream stream)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await {|WSH001:stream.FlushAsync()|};
                        await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default)|};
                    }
                }
                """;
            await new FixTest<CloseDuringHandoffCodeFixProvider>(withRuntime: false) { TestCode = source, FixedCode = source }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_fixes_both_kinds_across_documents()
        {
            var test = new FixTest<CloseDuringHandoffCodeFixProvider>();
            test.TestState.Sources.Add(("Handoff.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class Handoff
                {
                    async Task RunAsync(Stream stream)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var raw = await ws.DetachAsync();
                        await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default)|};
                        await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default)|};
                    }
                }
                """));
            test.TestState.Sources.Add(("Bcl.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading.Tasks;

                class Bcl
                {
                    async Task RunAsync(Stream stream)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await {|WSH001:stream.FlushAsync()|};
                        await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default)|};
                        await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default)|};
                    }
                }
                """));
            test.FixedState.Sources.Add(("Handoff.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class Handoff
                {
                    async Task RunAsync(Stream stream)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var raw = await ws.DetachAsync();
                    }
                }
                """));
            test.FixedState.Sources.Add(("Bcl.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class Bcl
                {
                    async Task RunAsync(Stream stream)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var raw = await ws.DetachAsync();
                        await raw.FlushAsync();
                    }
                }
                """));
            test.NumberOfIncrementalIterations = 3;
            test.NumberOfFixAllIterations = 1;
            test.NumberOfFixAllInDocumentIterations = 2;
            await test.RunAsync();
        }
    }
}
