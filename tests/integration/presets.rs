//! Every built-in preset loads, round-trips through JSON, and gives the published figures.

use convtui::analysis::{CONV_WEIGHTS, OUTPUT_CHANNELS, Role, Summary};
use convtui::model::Shape;
use convtui::preset::{self, BUILTINS};

fn summary(name: &str) -> Summary {
    Summary::of(&preset::builtin(name).unwrap()).unwrap()
}

#[test]
fn every_preset_loads_analyses_and_round_trips() {
    for builtin in BUILTINS {
        let block = preset::builtin(builtin.name).unwrap();
        assert_eq!(block.name, builtin.name, "a preset's name is its file's");
        assert!(!block.description.is_empty());
        let again = preset::parse(&preset::to_json(&block), "round trip").unwrap();
        assert_eq!(again, block, "{} survives save and load", builtin.name);
        let summary = Summary::of(&block).unwrap();
        assert!(summary.counterpart.is_ok(), "{}", builtin.name);
    }
}

#[test]
fn every_preset_file_matches_its_embedded_copy() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("presets");
    for builtin in BUILTINS {
        let on_disk = preset::load(&dir.join(format!("{}.json", builtin.name))).unwrap();
        assert_eq!(on_disk, preset::builtin(builtin.name).unwrap());
    }
}

#[test]
fn inception_3a_matches_googlenet() {
    let s = summary("inception3a");
    let t = &s.block.totals;
    assert_eq!(t.output, Shape::new(256, 28, 28));
    // 192·64 + 192·96 + 3·3·96·128 + 192·16 + 5·5·16·32 + 192·32
    // = 12,288 + 18,432 + 110,592 + 3,072 + 12,800 + 6,144 = 163,328.
    assert_eq!(t.conv_weights, 163_328);
    // 64 + 96 + 128 + 16 + 32 + 32 = 368.
    assert_eq!(t.conv_biases, 368);
    // GoogLeNet's Table 1 gives 128M ops for inception (3a): 163,328 · 28 · 28 = 128,049,152.
    assert_eq!(t.macs, 128_049_152);
    assert_eq!(t.flops(), 2 * 128_049_152);
    assert_eq!(t.depth.nonlinear, 2);

    let c = s.counterpart.as_ref().unwrap();
    // 64 + 128 + 32 + 192 = 416 channels.
    assert_eq!(c.totals.output, Shape::new(416, 28, 28));
    // 1·1·192·64 + 3·3·192·128 + 5·5·192·32 = 12,288 + 221,184 + 153,600 = 387,072.
    assert_eq!(c.totals.conv_weights, 387_072);
    let roles: Vec<Role> = c.plan.dropped_convs().map(|(_, role)| role).collect();
    assert_eq!(roles, vec![Role::Reduce, Role::Reduce, Role::Project]);

    let cmp = s.comparison().unwrap();
    assert_eq!(
        (
            cmp.get(&OUTPUT_CHANNELS).block,
            cmp.get(&OUTPUT_CHANNELS).counterpart
        ),
        (256, 416)
    );
    let ratio = cmp.get(&CONV_WEIGHTS).ratio().unwrap();
    assert!((ratio - 163_328.0 / 387_072.0).abs() < 1e-12);
}

#[test]
fn resnet_bottleneck_matches_resnet_50() {
    let s = summary("resnet_bottleneck");
    let t = &s.block.totals;
    assert_eq!(t.output, Shape::new(256, 56, 56));
    // 256·64 + 3·3·64·64 + 64·256 = 16,384 + 36,864 + 16,384 = 69,632; no conv biases.
    assert_eq!(t.conv_weights, 69_632);
    assert_eq!(t.conv_biases, 0);
    // Batch norm: 2·(64 + 64 + 256) = 768 parameters.
    assert_eq!(t.params(), 69_632 + 768);
    assert_eq!(t.macs, 69_632 * 56 * 56);
    let c = s.counterpart.as_ref().unwrap();
    // One 3×3 conv 256 → 256: 3·3·256·256 = 589,824.
    assert_eq!(c.totals.conv_weights, 589_824);
    assert_eq!(c.totals.output, Shape::new(256, 56, 56));
}

#[test]
fn nin_matches_the_published_caffe_model() {
    let s = summary("nin");
    let t = &s.block.totals;
    assert_eq!(t.output, Shape::new(1000, 1, 1));
    // conv1 11·11·3·96 = 34,848; cccp1, cccp2 96·96 = 9,216 each; conv2 5·5·96·256 = 614,400;
    // cccp3, cccp4 65,536 each; conv3 3·3·256·384 = 884,736; cccp5, cccp6 147,456 each;
    // conv4 3·3·384·1024 = 3,538,944; cccp7 1,048,576; cccp8 1024·1000 = 1,024,000.
    let weights = 34_848
        + 2 * 9_216
        + 614_400
        + 2 * 65_536
        + 884_736
        + 2 * 147_456
        + 3_538_944
        + 1_048_576
        + 1_024_000;
    assert_eq!(t.conv_weights, weights);
    // Biases: 3·96 + 3·256 + 3·384 + 2·1024 + 1000 = 5,256. About 7.6M parameters, 29 MB in f32.
    assert_eq!(t.conv_biases, 5_256);
    assert_eq!(t.pointwise_convs, 8);
    assert_eq!(t.depth.nonlinear, 12);
    // Caffe's ceil-mode pools: 224 → 54 → 27 → 13 → 6 → 1.
    let c = s.counterpart.as_ref().unwrap();
    assert_eq!(c.plan.dropped_convs().count(), 8);
    assert!(c.plan.dropped_convs().all(|(_, role)| role == Role::Mix));
    assert_eq!(
        c.totals.depth.nonlinear, 4,
        "only the k×k convs' ReLUs remain"
    );
    assert_eq!(c.totals.output, Shape::new(1000, 1, 1));
}

/// `levels` concats inside each other around a ReLU.
fn nested(levels: usize) -> convtui::model::Block {
    use convtui::model::{Block, Concat, Layer, LayerKind, Node};
    let mut node = Node::Layer(Layer::new(LayerKind::Relu));
    for _ in 0..levels {
        node = Node::Concat(Concat {
            name: None,
            branches: vec![vec![node]],
        });
    }
    Block {
        name: "deep".into(),
        description: String::new(),
        input: Shape::new(4, 4, 4),
        body: vec![node],
    }
}

#[test]
fn the_deepest_block_analysis_accepts_also_loads_back() {
    use convtui::model::MAX_NESTING;
    let deepest = nested(MAX_NESTING);
    assert!(Summary::of(&deepest).is_ok());
    let again = preset::parse(&preset::to_json(&deepest), "deep").unwrap();
    assert_eq!(again, deepest);
    let error = Summary::of(&nested(MAX_NESTING + 1)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("more than 24 concats or residuals"),
        "{error}"
    );
    let error = preset::parse(&preset::to_json(&nested(200)), "deep").unwrap_err();
    assert!(error.to_string().contains("nested too deeply"), "{error}");
}

#[test]
fn resnet_downsample_matches_torchvision() {
    let s = summary("resnet_downsample");
    let t = &s.block.totals;
    // 256·128 + 3·3·128·128 + 128·512 + 256·512 = 32,768 + 147,456 + 65,536 + 131,072.
    assert_eq!(t.conv_weights, 376_832);
    // torchvision's resnet50().layer2[0] has 379,392 parameters: the convs and 2·1,280 BN.
    assert_eq!(t.params(), 379_392);
    assert_eq!(t.output, Shape::new(512, 28, 28));
    let c = s.counterpart.as_ref().unwrap();
    // conv2 reads 256 and gives 512 (3·3·256·512); the projection shortcut stays.
    assert_eq!(c.totals.conv_weights, 3 * 3 * 256 * 512 + 256 * 512);
    assert_eq!(c.totals.output, t.output);
}

#[test]
fn mobilenet_separable_block_matches_keras() {
    let s = summary("mobilenet_separable");
    let t = &s.block.totals;
    // Depthwise 3·3·1·32 = 288, pointwise 32·64 = 2,048, BN 2·32 + 2·64 = 192: Keras counts
    // 2,720 with the BN moving statistics (4·C), 2,528 without.
    assert_eq!(t.params(), 2_528);
    assert_eq!(t.macs, (288 + 2_048) * 112 * 112);
    // Without the pointwise conv the depthwise one takes its width, still one filter per
    // group of one input channel: 3·3·1·64 = 576 weights, and it can mix no channels.
    let c = s.counterpart.as_ref().unwrap();
    let roles: Vec<Role> = c.plan.dropped_convs().map(|(_, role)| role).collect();
    assert_eq!(roles, vec![Role::Mix]);
    assert_eq!(c.totals.conv_weights, 576);
    assert_eq!(c.totals.output, t.output);
}

#[test]
fn squeezenet_fire_matches_the_caffe_model() {
    let s = summary("squeezenet_fire");
    let t = &s.block.totals;
    // squeeze 96·16 + 16, expand1x1 16·64 + 64, expand3x3 3·3·16·64 + 64: 1,552 + 1,088 + 9,280.
    assert_eq!(t.params(), 11_920);
    assert_eq!(t.output, Shape::new(128, 55, 55));
    // The squeeze feeds a concat, not a k×k conv, and the expand 1×1 is a branch's own:
    // no rule applies, the fire module is its own counterpart.
    let c = s.counterpart.as_ref().unwrap();
    assert_eq!(c.plan.dropped_convs().count(), 0);
    assert_eq!(c.totals.params(), t.params());
}

/// Whole networks against the frameworks: parameters (`sum(p.numel())`) and MACs of every conv
/// and linear layer, from PyTorch modules built as each preset's description says, measured with
/// `presets/reference/torch_counts.py`.
#[test]
fn whole_networks_match_the_frameworks_to_the_unit() {
    let expected: [(&str, u64, u64, Shape); 9] = [
        (
            "googlenet",
            6_998_552,
            1_582_671_872,
            Shape::new(1000, 1, 1),
        ),
        ("alexnet", 61_100_840, 714_188_480, Shape::new(1000, 1, 1)),
        ("vgg16", 138_357_544, 15_470_264_320, Shape::new(1000, 1, 1)),
        (
            "resnet50",
            25_557_032,
            4_089_184_256,
            Shape::new(1000, 1, 1),
        ),
        (
            "resnet152",
            60_192_808,
            11_513_626_624,
            Shape::new(1000, 1, 1),
        ),
        (
            "squeezenet1_0",
            1_248_424,
            818_924_576,
            Shape::new(1000, 1, 1),
        ),
        (
            "mobilenet_v1",
            4_231_976,
            568_740_352,
            Shape::new(1000, 1, 1),
        ),
        (
            "mobilenet_v2",
            3_504_872,
            300_774_272,
            Shape::new(1000, 1, 1),
        ),
        ("nin_cifar10", 966_986, 222_486_528, Shape::new(10, 1, 1)),
    ];
    for (name, params, macs, output) in expected {
        let t = summary(name).block.totals;
        assert_eq!(
            (t.params(), t.macs, t.output),
            (params, macs, output),
            "{name}"
        );
    }
}

#[test]
fn googlenet_has_under_a_eighth_of_alexnets_parameters() {
    // The paper says 12 times fewer; with its classifier counted it is 61,100,840 / 6,998,552.
    let ratio = summary("alexnet").block.totals.params() as f64
        / summary("googlenet").block.totals.params() as f64;
    assert!((8.7..8.8).contains(&ratio), "{ratio}");
}
