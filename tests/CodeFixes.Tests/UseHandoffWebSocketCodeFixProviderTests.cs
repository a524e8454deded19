using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>
    /// The handoff-plan fix (WSH001, WSH003), against diagnostics shaped as the contract in Descriptors says
    /// (<see cref="ContractStubAnalyzer"/>). Every fixed source is compiled by the test framework.
    /// </summary>
    public class UseHandoffWebSocketCodeFixProviderTests
    {
        [Fact]
        public async Task Fix_creates_a_HandoffWebSocket_detaches_with_the_token_in_scope_and_points_raw_uses_at_the_detached_stream()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, CancellationToken cancellationToken)
                        {
                            WebSocket ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var buffer = new byte[16];
                            await ws.ReceiveAsync(new ArraySegment<byte>(buffer), cancellationToken);
                            await {|WSH001:stream.WriteAsync(buffer, cancellationToken)|};
                            await {|WSH001:stream.FlushAsync(cancellationToken)|};
                            await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken)|};
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
                        async Task RunAsync(Stream stream, CancellationToken cancellationToken)
                        {
                            HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var buffer = new byte[16];
                            await ws.ReceiveAsync(new ArraySegment<byte>(buffer), cancellationToken);
                            var raw = await ws.DetachAsync(cancellationToken);
                            await raw.WriteAsync(buffer, cancellationToken);
                            await raw.FlushAsync(cancellationToken);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_detaches_without_argument_when_no_token_is_in_scope_and_leaves_a_var_declaration_alone()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
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
                            var ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
                            await {|WSH001:stream.ReadAsync(buffer, 0, buffer.Length)|};
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
                            var ws = HandoffWebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
                            var raw = await ws.DetachAsync();
                            await raw.ReadAsync(buffer, 0, buffer.Length);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_uses_the_synchronous_Detach_where_the_method_cannot_await()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;

                    class Bridge
                    {
                        void Run(Stream stream, CancellationToken cancellationToken)
                        {
                            WebSocket ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
                            {|WSH001:stream.Write(new byte[] { 1, 2, 3 }, 0, 3)|};
                            using var reader = {|WSH001:new StreamReader(stream)|};
                            reader.ReadLine();
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        void Run(Stream stream, CancellationToken cancellationToken)
                        {
                            HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
                            var raw = ws.Detach();
                            raw.Write(new byte[] { 1, 2, 3 }, 0, 3);
                            using var reader = new StreamReader(raw);
                            reader.ReadLine();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_keeps_the_keep_alive_and_rewrites_the_creation_reported_by_WSH003()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
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
                            using var ws = {|WSH003:WebSocket.CreateFromStream(stream, false, null, TimeSpan.FromSeconds(30))|};
                            await {|WSH001:stream.CopyToAsync(Stream.Null, ct)|};
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
                            using var ws = HandoffWebSocket.CreateFromStream(stream, false, null, TimeSpan.FromSeconds(30));
                            var raw = await ws.DetachAsync(ct);
                            await raw.CopyToAsync(Stream.Null, ct);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_picks_a_name_not_already_used_in_the_method()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        int raw1;

                        async Task RunAsync(Stream stream)
                        {
                            var raw = new byte[4];
                            WebSocket ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.WriteAsync(raw, 0, raw.Length)|};
                            raw1++;
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
                        int raw1;

                        async Task RunAsync(Stream stream)
                        {
                            var raw = new byte[4];
                            HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw2 = await ws.DetachAsync();
                            await raw2.WriteAsync(raw, 0, raw.Length);
                            raw1++;
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_casts_a_field_at_the_detach_instead_of_changing_its_type()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        private WebSocket _ws;

                        async Task RunAsync(Stream stream)
                        {
                            _ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.FlushAsync()|};
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
                        private WebSocket _ws;

                        async Task RunAsync(Stream stream)
                        {
                            _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ((HandoffWebSocket)_ws).DetachAsync();
                            await raw.FlushAsync();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_retypes_a_local_declared_before_its_only_assignment_and_casts_one_assigned_twice()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task OnceAsync(Stream stream)
                        {
                            WebSocket ws;
                            ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.FlushAsync()|};
                        }

                        async Task TwiceAsync(Stream stream, WebSocket other)
                        {
                            WebSocket ws = other;
                            ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.FlushAsync()|};
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
                        async Task OnceAsync(Stream stream)
                        {
                            HandoffWebSocket ws;
                            ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync();
                            await raw.FlushAsync();
                        }

                        async Task TwiceAsync(Stream stream, WebSocket other)
                        {
                            WebSocket ws = other;
                            ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ((HandoffWebSocket)ws).DetachAsync();
                            await raw.FlushAsync();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_wraps_a_lone_embedded_raw_use_in_a_block()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;

                    class Bridge
                    {
                        // stub: detach at the innermost statement
                        void Run(Stream stream, bool upgrade)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            if (upgrade)
                                {|WSH001:stream.Flush()|};
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        // stub: detach at the innermost statement
                        void Run(Stream stream, bool upgrade)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            if (upgrade)
                            {
                                var raw = ws.Detach();
                                raw.Flush();
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_does_not_add_the_using_twice()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        HandoffWebSocket? _other;

                        void Run(Stream stream)
                        {
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            {|WSH001:stream.Flush()|};
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        HandoffWebSocket? _other;

                        void Run(Stream stream)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = ws.Detach();
                            raw.Flush();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task No_fix_is_offered_when_HandoffWebSocket_does_not_resolve()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;

                class Bridge
                {
                    void Run(Stream stream)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        {|WSH001:stream.Flush()|};
                    }
                }
                """;
            await new FixTest<UseHandoffWebSocketCodeFixProvider>(withRuntime: false) { TestCode = source, FixedCode = source }.RunAsync();
        }

        [Fact]
        public async Task No_fix_is_offered_when_the_plan_is_not_fixable()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;

                class Bridge
                {
                    // stub: not fixable
                    void Run(Stream stream)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        {|WSH001:stream.Flush()|};
                    }
                }
                """;
            await new FixTest<UseHandoffWebSocketCodeFixProvider> { TestCode = source, FixedCode = source }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_rewrites_each_creation_once_in_every_document()
        {
            var test = new FixTest<UseHandoffWebSocketCodeFixProvider>();
            test.TestState.Sources.Add(("Bridge.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;

                class Bridge
                {
                    async Task FirstAsync(Stream stream, CancellationToken ct)
                    {
                        var ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5))|};
                        await {|WSH001:stream.WriteAsync(new byte[1], ct)|};
                        await {|WSH001:stream.FlushAsync(ct)|};
                        await {|WSH001:stream.WriteAsync(new byte[2], ct)|};
                    }

                    async Task SecondAsync(Stream stream)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await {|WSH001:stream.FlushAsync()|};
                        await {|WSH001:stream.FlushAsync()|};
                    }
                }
                """));
            test.TestState.Sources.Add(("Tunnel.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;

                class Tunnel
                {
                    void Run(Stream first, Stream second)
                    {
                        var a = WebSocket.CreateFromStream(first, true, null, TimeSpan.Zero);
                        var b = WebSocket.CreateFromStream(second, true, null, TimeSpan.Zero);
                        {|WSH001:first.Flush()|};
                        {|WSH001:second.Flush()|};
                        {|WSH001:first.Flush()|};
                    }
                }
                """));
            test.FixedState.Sources.Add(("Bridge.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class Bridge
                {
                    async Task FirstAsync(Stream stream, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
                        var raw = await ws.DetachAsync(ct);
                        await raw.WriteAsync(new byte[1], ct);
                        await raw.FlushAsync(ct);
                        await raw.WriteAsync(new byte[2], ct);
                    }

                    async Task SecondAsync(Stream stream)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var raw = await ws.DetachAsync();
                        await raw.FlushAsync();
                        await raw.FlushAsync();
                    }
                }
                """));
            test.FixedState.Sources.Add(("Tunnel.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using WebSocketHandoff;

                class Tunnel
                {
                    void Run(Stream first, Stream second)
                    {
                        var a = HandoffWebSocket.CreateFromStream(first, true, null, TimeSpan.Zero);
                        var b = HandoffWebSocket.CreateFromStream(second, true, null, TimeSpan.Zero);
                        var raw = a.Detach();
                        raw.Flush();
                        var raw1 = b.Detach();
                        raw1.Flush();
                        raw.Flush();
                    }
                }
                """));

            // One-at-a-time fixing takes one iteration per creation; Fix All in project/solution one pass, in document one per document.
            test.NumberOfIncrementalIterations = 4;
            test.NumberOfFixAllIterations = 1;
            test.NumberOfFixAllInDocumentIterations = 2;
            await test.RunAsync();
        }
    }
}
